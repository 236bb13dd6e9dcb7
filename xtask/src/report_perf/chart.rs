//! A horizontal bar chart as inline SVG, for the HTML rendering.

use std::fmt::Write as _;

use super::markdown::fmt_value;
use crate::text::escape;

/// One horizontal bar chart: rows of labelled bars, several series per row.
pub(super) struct Chart<'a> {
    pub(super) title: &'a str,
    pub(super) unit: &'a str,
    /// (series name, colour)
    pub(super) series: &'a [(&'a str, &'a str)],
    /// (row label, value per series)
    pub(super) rows: Vec<(String, Vec<Option<f64>>)>,
    /// Vertical lines (value, label).
    pub(super) marks: &'a [(f64, &'a str)],
    /// The axis maximum; `None`: the largest value.
    pub(super) max: Option<f64>,
}

impl Chart<'_> {
    pub(super) fn svg(&self) -> String {
        let label_w = 270.0;
        let plot_w = 460.0;
        let bar_h = 9.0;
        let row_h = bar_h * self.series.len() as f64 + 6.0;
        let top = 40.0;
        let height = top + row_h * self.rows.len() as f64 + 30.0;
        let width = label_w + plot_w + 90.0;
        let max = self
            .max
            .unwrap_or_else(|| {
                self.rows
                    .iter()
                    .flat_map(|(_, v)| v.iter().flatten())
                    .copied()
                    .fold(0.0, f64::max)
            })
            .max(1e-9);
        let x = |v: f64| label_w + plot_w * (v / max).clamp(0.0, 1.0);
        let mut svg = format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width:.0}\" height=\"{height:.0}\" \
             role=\"img\" aria-label=\"{}\" font-family=\"sans-serif\" font-size=\"11\">\n\
             <text x=\"4\" y=\"16\" font-size=\"14\" font-weight=\"bold\">{}</text>\n",
            escape(self.title),
            escape(self.title)
        );
        let mut lx = label_w;
        for (name, colour) in self.series {
            let _ = writeln!(
                svg,
                "<rect x=\"{lx:.0}\" y=\"24\" width=\"10\" height=\"10\" fill=\"{colour}\"/>\
                 <text x=\"{:.0}\" y=\"33\">{}</text>",
                lx + 14.0,
                escape(name)
            );
            lx += 110.0;
        }
        for (i, (label, values)) in self.rows.iter().enumerate() {
            let y = top + row_h * i as f64;
            let _ = writeln!(
                svg,
                "<text x=\"{:.0}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>",
                label_w - 6.0,
                y + row_h / 2.0 + 3.0,
                escape(label)
            );
            for (j, value) in values.iter().enumerate() {
                let by = y + bar_h * j as f64 + 2.0;
                let colour = self.series.get(j).map_or("#888", |(_, c)| c);
                match value {
                    Some(v) => {
                        let _ = writeln!(
                            svg,
                            "<rect x=\"{label_w:.0}\" y=\"{by:.1}\" width=\"{:.1}\" height=\"{:.0}\" \
                             fill=\"{colour}\"><title>{} {}: {} {}</title></rect>\
                             <text x=\"{:.1}\" y=\"{:.1}\" font-size=\"9\">{}</text>",
                            (x(*v) - label_w).max(0.5),
                            bar_h - 1.0,
                            escape(label),
                            escape(self.series.get(j).map_or("", |(n, _)| n)),
                            fmt_value(*v),
                            escape(self.unit),
                            x(*v) + 3.0,
                            by + bar_h - 2.0,
                            fmt_value(*v)
                        );
                    }
                    None => {
                        let _ = writeln!(
                            svg,
                            "<text x=\"{:.0}\" y=\"{:.1}\" font-size=\"9\" fill=\"#888\">n/a</text>",
                            label_w + 3.0,
                            by + bar_h - 2.0
                        );
                    }
                }
            }
        }
        let bottom = top + row_h * self.rows.len() as f64;
        for (value, label) in self.marks {
            let mx = x(*value);
            let _ = writeln!(
                svg,
                "<line x1=\"{mx:.1}\" y1=\"{:.0}\" x2=\"{mx:.1}\" y2=\"{bottom:.0}\" stroke=\"#c00\" \
                 stroke-dasharray=\"3,3\"/><text x=\"{mx:.1}\" y=\"{:.0}\" fill=\"#c00\" \
                 text-anchor=\"middle\">{}</text>",
                top - 4.0,
                bottom + 12.0,
                escape(label)
            );
        }
        let _ = writeln!(
            svg,
            "<line x1=\"{label_w:.0}\" y1=\"{top:.0}\" x2=\"{label_w:.0}\" y2=\"{bottom:.0}\" stroke=\"#333\"/>\
             <text x=\"{:.0}\" y=\"{:.0}\" text-anchor=\"end\">{} (axis to {})</text>",
            label_w + plot_w,
            bottom + 24.0,
            escape(self.unit),
            fmt_value(max)
        );
        svg.push_str("</svg>\n");
        svg
    }
}
