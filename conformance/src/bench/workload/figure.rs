//! A figure being assembled: unitls's and the direct side's summaries, the ratio, the
//! ceiling fraction, and the line it becomes.

use unitls_model::bench::{BenchLine, Better, Figure as ModelFigure, FigureKind};

use crate::bench::ceiling::human;
use crate::bench::output::{emit, round_opt, stats};
use crate::bench::stats::Summary;

/// A figure being assembled.
pub(super) struct Figure {
    pub(super) name: String,
    pub(super) label: String,
    pub(super) unit: &'static str,
    pub(super) higher_is_better: bool,
    pub(super) transport: Option<&'static str>,
    pub(super) unitls: Option<Summary>,
    pub(super) direct: Option<Summary>,
    pub(super) ceiling: Option<f64>,
    pub(super) reason: Option<String>,
    pub(super) notes: Vec<String>,
    /// unitls ÷ direct (oriented) of each interleaved pair of samples.
    pub(super) paired: Option<Summary>,
    /// Whether `reason` is a failure (a workload broke) rather than a limitation of
    /// the backend.
    pub(super) failed: bool,
}

impl Figure {
    pub(super) fn new(
        name: &str,
        label: &str,
        unit: &'static str,
        higher_is_better: bool,
    ) -> Figure {
        Figure {
            name: name.to_owned(),
            label: label.to_owned(),
            unit,
            higher_is_better,
            transport: None,
            unitls: None,
            direct: None,
            ceiling: None,
            reason: None,
            notes: Vec::new(),
            paired: None,
            failed: false,
        }
    }

    /// The backend cannot produce this figure, for `reason`.
    pub(super) fn limit(&mut self, reason: String) {
        self.reason = Some(reason);
    }

    /// The workload failed.
    pub(super) fn fail(&mut self, reason: String) {
        self.reason = Some(reason);
        self.failed = true;
    }

    pub(super) fn value(&self) -> Option<f64> {
        self.unitls.map(|s| s.median)
    }

    pub(super) fn direct_value(&self) -> Option<f64> {
        self.direct.map(|s| s.median)
    }

    /// unitls ÷ direct, oriented so that 1.0 is no overhead and lower is worse.
    ///
    /// With interleaved samples it is the median of the pairs' ratios, so that load
    /// from elsewhere, which hits both samples of a pair alike, cancels out.
    pub(super) fn ratio(&self) -> Option<f64> {
        if let Some(paired) = &self.paired {
            return Some(paired.median);
        }
        let (u, d) = (self.value()?, self.direct_value()?);
        let r = if self.higher_is_better { u / d } else { d / u };
        r.is_finite().then_some(r)
    }

    pub(super) fn ceiling_fraction(&self) -> Option<f64> {
        let f = self.value()? / self.ceiling?;
        f.is_finite().then_some(f)
    }

    pub(super) fn emit(self, backend: &str) {
        let fmt = |v: Option<f64>| v.map_or_else(|| "—".to_owned(), human);
        match (&self.reason, self.value()) {
            (Some(reason), None) => eprintln!("  {:<58} n/a: {reason}", self.label),
            _ => {
                let mut text = format!(
                    "  {:<58} unitls {} direct {} {}  ratio {}",
                    self.label,
                    fmt(self.value()),
                    fmt(self.direct_value()),
                    self.unit,
                    self.ratio().map_or("—".to_owned(), |r| format!("{r:.3}")),
                );
                if let Some(f) = self.ceiling_fraction() {
                    text.push_str(&format!("  ({:.1} % of the crypto ceiling)", f * 100.0));
                }
                if let Some(reason) = &self.reason {
                    text.push_str(&format!("  [{reason}]"));
                }
                eprintln!("{text}");
            }
        }
        let kind = match (&self.reason, self.failed) {
            (None, _) => None,
            (Some(_), false) => Some(FigureKind::Limitation),
            (Some(_), true) => Some(FigureKind::Failure),
        };
        let figure = ModelFigure {
            name: self.name.clone(),
            label: self.label.clone(),
            unit: Some(self.unit.to_owned()),
            better: Some(if self.higher_is_better {
                Better::Higher
            } else {
                Better::Lower
            }),
            transport: self.transport.map(str::to_owned),
            value: round_opt(self.value()),
            direct: round_opt(self.direct_value()),
            ratio: round_opt(self.ratio()),
            ratio_spread: round_opt(self.paired.as_ref().map(Summary::spread)),
            ceiling: round_opt(self.ceiling),
            ceiling_fraction: round_opt(self.ceiling_fraction()),
            reason: self.reason.clone(),
            kind,
            note: (!self.notes.is_empty()).then(|| self.notes.join("; ")),
            unitls_stats: self.unitls.as_ref().map(stats),
            direct_stats: self.direct.as_ref().map(stats),
        };
        emit(&BenchLine::Figure {
            backend: backend.to_owned(),
            figure,
        });
    }
}

/// Turns interleaved rates into the figure's summaries (scaled by `unit` per op).
pub(super) fn finish_rates(
    fig: &mut Figure,
    measured: Result<(Vec<f64>, Vec<f64>), String>,
    unit: f64,
) {
    match measured {
        Ok((u, d)) => {
            let scale = |v: Vec<f64>| v.into_iter().map(|x| x * unit).collect::<Vec<_>>();
            fig.paired = paired(&u, &d, fig.higher_is_better);
            fig.unitls = Some(Summary::of(&scale(u)));
            fig.direct = Some(Summary::of(&scale(d)));
        }
        Err(e) => fig.fail(e),
    }
}

/// The oriented ratio of each pair of samples taken one after the other.
pub(super) fn paired(unitls: &[f64], direct: &[f64], higher_is_better: bool) -> Option<Summary> {
    let ratios: Vec<f64> = unitls
        .iter()
        .zip(direct)
        .map(|(u, d)| if higher_is_better { u / d } else { d / u })
        .filter(|r| r.is_finite())
        .collect();
    (!ratios.is_empty()).then(|| Summary::of(&ratios))
}
