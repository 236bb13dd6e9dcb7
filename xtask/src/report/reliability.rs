//! The report's reliability section (SPEC REL-2, REL-4, REL-5): per backend, the
//! hostile-peer cases run and passed in each mode (the cases citing REL-5), the load
//! figures, and resident memory over lifecycle cycles — as report.json's
//! `reliability`, a report.md section, and an index.html section with a small inline
//! SVG chart of memory over the cycles.

use std::fmt::Write as _;

use unitls_model::reliability::{
    BackendReliability, HostileTally, LoadFigures, MemoryFigures, ReliabilityLine,
    ReliabilitySection,
};
use unitls_model::Mode;

use super::{BackendRun, Report};
use crate::outcome::Outcome;
use crate::text::{escape, md_cell};

/// The requirement the hostile-peer cases cite.
const HOSTILE_SPEC: &str = "REL-5";

impl Report {
    /// report.json's `reliability` section.
    pub(super) fn reliability(&self) -> ReliabilitySection {
        let (fuzz, leaks) = super::tool_runs::last_runs(&crate::workspace::root());
        ReliabilitySection {
            backends: self.backends.iter().map(backend_reliability).collect(),
            fuzz,
            leaks,
        }
    }

    /// report.md's reliability section.
    pub(super) fn reliability_markdown(&self) -> String {
        let section = self.reliability();
        let mut md = String::from("\n## Reliability\n\n");
        md.push_str(
            "Hostile peers (SPEC REL-5): the cases citing REL-5, run and passed per mode.\n\n\
             | Backend | Blocking | Async | Not passed |\n|---|---:|---:|---|\n",
        );
        for backend in &section.backends {
            let not_passed: Vec<String> = backend
                .hostile
                .iter()
                .flat_map(|t| t.not_passed.iter().cloned())
                .collect();
            let _ = writeln!(
                md,
                "| {} | {} | {} | {} |",
                backend.backend,
                tally_text(&backend.hostile, Mode::Blocking),
                tally_text(&backend.hostile, Mode::Async),
                md_cell(&not_passed.join(", "))
            );
        }
        md.push_str(
            "\nLoad (SPEC REL-4): one server holding every connection at once, then each \
             echoing.\n\n\
             | Backend | Mode | Setup | Connections held | Handshakes/s | Errors | Lost | \
             Duration |\n|---|---|---|---:|---:|---:|---:|---:|\n",
        );
        for backend in &section.backends {
            for load in &backend.load {
                let _ = writeln!(
                    md,
                    "| {} | {} | {} | {} | {:.0} | {} | {} | {:.1} s |",
                    backend.backend,
                    load.mode.as_str(),
                    md_cell(&load.setup),
                    load.connections,
                    load.handshakes_per_sec,
                    load.errors,
                    load.lost,
                    load.duration_secs
                );
            }
        }
        md.push_str(
            "\nMemory (SPEC REL-2): resident memory of a process running only the cycles; \
             growth from the end of warm-up to the last cycle.\n\n\
             | Backend | Mode | Transport | Cycle | Cycles | Warm-up | RSS after warm-up | \
             RSS at the end | Growth | Live sessions after |\n\
             |---|---|---|---|---:|---:|---:|---:|---:|---:|\n",
        );
        for backend in &section.backends {
            for memory in &backend.memory {
                let _ = writeln!(
                    md,
                    "| {} | {} | {} | {} | {} | {} | {} KiB | {} KiB | {} KiB | {} |",
                    backend.backend,
                    memory.mode.as_str(),
                    memory.setup,
                    memory.cycle,
                    memory.cycles,
                    memory.warmup,
                    after_warmup(memory),
                    last(memory),
                    memory.growth_kib,
                    memory.live_sessions_after
                );
            }
        }
        md.push('\n');
        md.push_str(&super::tool_runs::markdown(
            section.fuzz.as_ref(),
            section.leaks.as_ref(),
        ));
        md
    }

    /// index.html's reliability section.
    pub(super) fn reliability_html(&self) -> String {
        let section = self.reliability();
        let mut html = String::from(
            "<h2 id=\"reliability\">Reliability</h2>\n<h3>Hostile peers (SPEC REL-5)</h3>\n\
             <table>\n<tr><th>Backend</th><th>Blocking</th><th>Async</th>\
             <th>Not passed</th></tr>\n",
        );
        for backend in &section.backends {
            let not_passed: Vec<String> = backend
                .hostile
                .iter()
                .flat_map(|t| t.not_passed.iter().cloned())
                .collect();
            let class = if not_passed.is_empty() {
                "pass"
            } else {
                "fail"
            };
            let _ = writeln!(
                html,
                "<tr><td>{}</td><td class=\"{class}\">{}</td><td class=\"{class}\">{}</td>\
                 <td>{}</td></tr>",
                escape(&backend.backend),
                tally_text(&backend.hostile, Mode::Blocking),
                tally_text(&backend.hostile, Mode::Async),
                escape(&not_passed.join(", "))
            );
        }
        html.push_str(
            "</table>\n<h3>Load (SPEC REL-4)</h3>\n<table>\n<tr><th>Backend</th><th>Mode</th>\
             <th>Setup</th><th>Connections held</th><th>Handshakes/s</th><th>Errors</th>\
             <th>Lost</th><th>Duration</th></tr>\n",
        );
        for backend in &section.backends {
            for load in &backend.load {
                html.push_str(&load_row(&backend.backend, load));
            }
        }
        html.push_str(
            "</table>\n<h3>Memory over cycles (SPEC REL-2)</h3>\n<table>\n<tr><th>Backend</th>\
             <th>Mode</th><th>Transport</th><th>Cycle</th><th>Cycles</th><th>RSS after \
             warm-up</th><th>RSS at the end</th><th>Growth</th><th>Live sessions after</th>\
             </tr>\n",
        );
        for backend in &section.backends {
            for memory in &backend.memory {
                let class = if memory.growth_kib < 1024 && memory.live_sessions_after == 0 {
                    "pass"
                } else {
                    "fail"
                };
                let _ = writeln!(
                    html,
                    "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"num\">{}</td>\
                     <td class=\"num\">{} KiB</td><td class=\"num\">{} KiB</td>\
                     <td class=\"num {class}\">{} KiB</td><td class=\"num\">{}</td></tr>",
                    escape(&backend.backend),
                    memory.mode.as_str(),
                    escape(&memory.setup),
                    escape(&memory.cycle),
                    memory.cycles,
                    after_warmup(memory),
                    last(memory),
                    memory.growth_kib,
                    memory.live_sessions_after
                );
            }
        }
        html.push_str("</table>\n");
        for backend in &section.backends {
            let longest: Vec<&MemoryFigures> = longest_runs(&backend.memory);
            if !longest.is_empty() {
                let _ = writeln!(
                    html,
                    "<p>{}: resident memory over the cycles ({}, {})</p>\n{}",
                    escape(&backend.backend),
                    longest[0].mode.as_str(),
                    escape(&longest[0].setup),
                    memory_chart(&longest)
                );
            }
        }
        html.push_str(&super::tool_runs::html(
            section.fuzz.as_ref(),
            section.leaks.as_ref(),
        ));
        html
    }
}

/// One backend's entry.
fn backend_reliability(run: &BackendRun) -> BackendReliability {
    let mut load = Vec::new();
    let mut memory = Vec::new();
    for line in &run.reliability {
        match line {
            ReliabilityLine::Load(figures) => load.push(figures.clone()),
            ReliabilityLine::Memory(figures) => memory.push(figures.clone()),
        }
    }
    let mode_order = |mode: Mode| Mode::ALL.iter().position(|m| *m == mode);
    load.sort_by(|a, b| (mode_order(a.mode), &a.setup).cmp(&(mode_order(b.mode), &b.setup)));
    memory.sort_by(|a, b| {
        (mode_order(a.mode), &a.setup, &a.cycle).cmp(&(mode_order(b.mode), &b.setup, &b.cycle))
    });
    BackendReliability {
        backend: run.name.to_owned(),
        hostile: hostile(run),
        load,
        memory,
        warnings: run.reliability_warnings.clone(),
    }
}

/// The hostile-peer cases of `run`, per mode that has any.
fn hostile(run: &BackendRun) -> Vec<HostileTally> {
    Mode::ALL
        .iter()
        .filter_map(|&mode| {
            let cases: Vec<_> = run
                .cases
                .iter()
                .filter(|c| c.mode == mode && c.spec.iter().any(|s| s == HOSTILE_SPEC))
                .collect();
            (!cases.is_empty()).then(|| HostileTally {
                mode,
                run: cases.len(),
                passed: cases.iter().filter(|c| c.outcome == Outcome::Pass).count(),
                not_passed: cases
                    .iter()
                    .filter(|c| c.outcome != Outcome::Pass)
                    .map(|c| c.label())
                    .collect(),
            })
        })
        .collect()
}

/// "9/9 passed", or "—" when the mode has no hostile case.
fn tally_text(tallies: &[HostileTally], mode: Mode) -> String {
    tallies
        .iter()
        .find(|t| t.mode == mode)
        .map_or("—".to_owned(), |t| {
            format!("{}/{} passed", t.passed, t.run)
        })
}

fn load_row(backend: &str, load: &LoadFigures) -> String {
    let class = if load.errors == 0 && load.lost == 0 {
        "pass"
    } else {
        "fail"
    };
    format!(
        "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"num\">{}</td>\
         <td class=\"num\">{:.0}</td><td class=\"num {class}\">{}</td>\
         <td class=\"num {class}\">{}</td><td class=\"num\">{:.1} s</td></tr>\n",
        escape(backend),
        load.mode.as_str(),
        escape(&load.setup),
        load.connections,
        load.handshakes_per_sec,
        load.errors,
        load.lost,
        load.duration_secs
    )
}

/// Resident memory at the first sample after warm-up, KiB.
fn after_warmup(memory: &MemoryFigures) -> u64 {
    memory
        .samples
        .iter()
        .find(|s| s.cycle >= memory.warmup)
        .map_or(0, |s| s.rss_kib)
}

/// Resident memory at the last sample, KiB.
fn last(memory: &MemoryFigures) -> u64 {
    memory.samples.last().map_or(0, |s| s.rss_kib)
}

/// The runs of the setup with the most cycles (the full run's), one per cycle kind.
fn longest_runs(memory: &[MemoryFigures]) -> Vec<&MemoryFigures> {
    let Some(most) = memory.iter().max_by_key(|m| m.cycles) else {
        return Vec::new();
    };
    memory
        .iter()
        .filter(|m| m.mode == most.mode && m.setup == most.setup && m.cycles == most.cycles)
        .collect()
}

/// Colours of the chart's series.
const COLOURS: [&str; 4] = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd"];

/// A small SVG line chart of resident memory (MiB, from zero) over cycles, one line
/// per run, labelled with its kind of cycle.
pub(super) fn memory_chart(runs: &[&MemoryFigures]) -> String {
    const W: f64 = 420.0;
    const H: f64 = 160.0;
    const LEFT: f64 = 56.0;
    const BOTTOM: f64 = 24.0;
    const TOP: f64 = 8.0;
    let points = runs.iter().flat_map(|r| r.samples.iter());
    let max_cycle = points.clone().map(|s| s.cycle).max().unwrap_or(1).max(1) as f64;
    // From zero, with headroom: growth shows against the whole footprint.
    let min_kib = 0.0;
    let max_kib = (points.map(|s| s.rss_kib).max().unwrap_or(0) as f64 * 1.25).max(1024.0);
    let x = |cycle: usize| LEFT + (W - LEFT - 8.0) * cycle as f64 / max_cycle;
    let y = |kib: u64| TOP + (H - TOP - BOTTOM) * (max_kib - kib as f64) / (max_kib - min_kib);
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{W}\" height=\"{H}\" \
         viewBox=\"0 0 {W} {H}\" role=\"img\" font-size=\"10\">\n\
         <line x1=\"{LEFT}\" y1=\"{TOP}\" x2=\"{LEFT}\" y2=\"{b}\" stroke=\"#999\"/>\n\
         <line x1=\"{LEFT}\" y1=\"{b}\" x2=\"{r}\" y2=\"{b}\" stroke=\"#999\"/>\n\
         <text x=\"{tx}\" y=\"{ty1}\" text-anchor=\"end\">{:.1} MiB</text>\n\
         <text x=\"{tx}\" y=\"{ty2}\" text-anchor=\"end\">{:.1} MiB</text>\n\
         <text x=\"{LEFT}\" y=\"{H}\" dy=\"-4\">0</text>\n\
         <text x=\"{r}\" y=\"{H}\" dy=\"-4\" text-anchor=\"end\">{} cycles</text>\n",
        max_kib / 1024.0,
        min_kib / 1024.0,
        max_cycle,
        b = H - BOTTOM,
        r = W - 8.0,
        tx = LEFT - 4.0,
        ty1 = TOP + 8.0,
        ty2 = H - BOTTOM,
    );
    for (i, run) in runs.iter().enumerate() {
        let colour = COLOURS[i % COLOURS.len()];
        let path: Vec<String> = run
            .samples
            .iter()
            .map(|s| format!("{:.1},{:.1}", x(s.cycle), y(s.rss_kib)))
            .collect();
        let _ = writeln!(
            svg,
            "<polyline fill=\"none\" stroke=\"{colour}\" stroke-width=\"1.5\" points=\"{}\"/>\n\
             <text x=\"{:.1}\" y=\"{:.1}\" fill=\"{colour}\">{}</text>",
            path.join(" "),
            LEFT + 8.0,
            H - BOTTOM - 6.0 - 12.0 * i as f64,
            escape(&run.cycle)
        );
    }
    svg.push_str("</svg>");
    svg
}
