"""Simulation study: do the kit's savings estimates, intervals and picks hold up?

    python benchmarks/study_estimates.py [--clients 200] [--seed 1000]

Draws many synthetic clients from the kit's generator (`kit.sample.workflow_studies`: the
sample's 65 workflows, true savings drawn within each task type's range, new noise and new
runs each time; planted workflows are not redrawn until they show their plant; eight normally
studied workflows, chosen at random per client, left untimed besides the sample's own) at two
settings, and a robustness check:

- default: the generator's noise (SD 0.25-0.35 of log minutes) and runs per arm (10-40);
- noisy: noise SD 0.45 and 8 runs per arm on every normally studied workflow;
- atypical (not one of the bars): default noise, each task type's centre moved per client by one
  published prior SD times a normal draw.

For each client it runs today's estimator ("measured, else pooled, else prior", ranked by the low
end of each workflow's own interval) and the new one (`kit.estimates.estimate_savings`, ranked by
the shrunk estimate), and compares both with the truth:

- coverage of the 90% intervals, for measured workflows, for the others (partially pooled,
  borrowed from the task type, prior) and for those with no runs of their own (borrowed or prior;
  also split into the random eight and the sample's five), pooled over workflows and clients, and
  the lowest coverage of any single workflow across clients;
- mean absolute error of the saving (share of time), measured workflows and all workflows;
- the start-here picks (top 3): reported net value against their true net value (sum over
  clients), and the share of clients with a pick whose true net value is negative.

`run_study` is imported by tests/test_estimates_study.py (a fast version on a few clients).
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import yaml
from scipy import stats

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kit import estimates
from kit.evidence import TASK_PRIORS
from kit.phases import roi
from kit.sample import NORMAL, PLANTED, WORKFLOWS, workflow_studies
from kit.settings import parse_settings

UNTIMED = 8  # normally studied workflows left untimed at random per client (besides the sample's five)
SETTINGS = {
    "default": {"untimed": UNTIMED},
    "noisy": {"noise_sd": 0.45, "runs_per_arm": 8, "untimed": UNTIMED},
}
ROBUSTNESS = {"atypical": {"type_spread": 1.0, "untimed": UNTIMED}}  # main() only: not a bar of issue 13
SAMPLE_UNTIMED = {f"W{i + 1:02d}" for i, w in enumerate(WORKFLOWS) if w.studies not in (NORMAL, PLANTED)}
TOP_N = 3


def legacy_savings(fits: estimates.SavingFits, level: float) -> pd.DataFrame:
    """Today's estimator (before the hierarchical layer): a measured workflow's own OLS/HC3 t
    interval; otherwise the pooled regression's task-type effect with the standard error of that
    mean; otherwise the published prior with its fixed range."""
    e = fits.effects.copy()
    tt = fits.task_types.set_index("task_type")
    rows = []
    for _, r in e.iterrows():
        if r["own"] == estimates.MEASURED:
            beta, se, df, source = r["beta"], r["se"], r["df_resid"], "measured"
        elif np.isfinite(tt.at[r["task_type"], "pooled_se"]):
            t = tt.loc[r["task_type"]]
            beta, se, df, source = t["pooled_beta"], t["pooled_se"], t["pooled_df"], "pooled"
        else:
            p = TASK_PRIORS[r["task_type"]]
            rows.append((r["workflow_id"], "prior", p.saving, p.low, p.high, math.log(1 - p.saving), np.nan))
            continue
        q = stats.t.ppf(0.5 + level / 2, df)
        rows.append((r["workflow_id"], source, 1 - math.exp(beta), 1 - math.exp(beta + q * se), 1 - math.exp(beta - q * se), beta, se))
    out = pd.DataFrame(rows, columns=["workflow_id", "source", "saving", "saving_low", "saving_high", "beta", "beta_sd"])
    keep = ["workflow_id", "n_without_ai", "n_with_ai", "status", "complexity_used", "person_effects"]
    return e[keep].merge(out, on="workflow_id").assign(own_saving=np.nan, shrinkage=np.nan)


def _picks(ranking: pd.DataFrame, basis: str) -> pd.DataFrame:
    ok = (ranking["saving"] > 0) & (ranking["runs_per_month"] > 0) & (ranking["net_value"] > 0) & ranking["approved_tool_for_data"]
    return ranking[ok].sort_values([basis, "workflow_id"], ascending=[False, True]).head(TOP_N)


def _true_net(picks: pd.DataFrame, truth: dict[str, float], adoption: float, horizon: int) -> pd.Series:
    true = picks["workflow_id"].map(truth)
    return picks["annual_hours"] * true * adoption * picks["hourly_cost"] * horizon / 12 - picks["cost"]


def one_client(seed: int, **study) -> dict:
    """Per-workflow estimates (today's and new) against the truth, and each method's picks."""
    wfs, ts, truth, settings_text = workflow_studies(seed, show_plants=False, **study)
    settings = parse_settings(yaml.safe_load(settings_text))
    level = settings.confidence_level
    fits = estimates.fit_savings(wfs, ts, settings.min_runs_per_arm)
    new = estimates.estimate_savings(wfs, ts, settings, fits=fits).table
    old = legacy_savings(fits, level)
    rows, picks = [], {}
    for method, table, basis in (("today", old, "net_value_low"), ("new", new, "net_value")):
        t = table.assign(true=table["workflow_id"].map(truth), method=method, seed=seed)
        rows.append(t[["seed", "method", "workflow_id", "source", "n_without_ai", "n_with_ai", "saving", "saving_low", "saving_high", "true"]])
        ranking = roi.analyze(wfs, ts, settings, fits=fits, savings=table).ranking
        chosen = _picks(ranking, basis)
        picks[method] = {
            "reported": float(chosen["net_value"].sum()),
            "true": float(_true_net(chosen, truth, settings.adoption_rate, settings.horizon_months).sum()),
            "losing": bool((_true_net(chosen, truth, settings.adoption_rate, settings.horizon_months) < 0).any()),
        }
    return {"workflows": pd.concat(rows, ignore_index=True), "picks": picks}


def run_study(n_clients: int, setting: str, seed0: int = 1000) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(per-workflow rows, per-client pick rows) over `n_clients` clients at `setting`."""
    wf_rows, pick_rows = [], []
    for k in range(n_clients):
        res = one_client(seed0 + k, **{**SETTINGS, **ROBUSTNESS}[setting])
        wf_rows.append(res["workflows"])
        for method, p in res["picks"].items():
            pick_rows.append({"seed": seed0 + k, "method": method, **p})
    return pd.concat(wf_rows, ignore_index=True), pd.DataFrame(pick_rows)


def summarize(wf: pd.DataFrame, picks: pd.DataFrame) -> pd.DataFrame:
    """One row per method: coverage, MAE and pick figures."""
    out = []
    for method, g in wf.groupby("method", sort=False):
        inside = (g["saving_low"] <= g["true"]) & (g["true"] <= g["saving_high"])
        measured = g["source"] == "measured"
        borrowed = (g["n_without_ai"] < 2) | (g["n_with_ai"] < 2)  # no runs of its own to use: borrowed or prior
        fixed = g["workflow_id"].isin(SAMPLE_UNTIMED)
        err = (g["saving"] - g["true"]).abs()
        per_wf = inside.groupby(g["workflow_id"]).mean()
        p = picks[picks["method"] == method]
        out.append({
            "method": method,
            "coverage_measured": inside[measured].mean(),
            "coverage_other": inside[~measured].mean(),
            "coverage_untimed": inside[borrowed].mean(),
            "coverage_untimed_random": inside[borrowed & ~fixed].mean(),
            "coverage_untimed_sample": inside[borrowed & fixed].mean(),
            "lowest_workflow_coverage": per_wf.min(),
            "mae_measured": err[measured].mean(),
            "mae_all": err.mean(),
            "picks_overstatement": p["reported"].sum() / p["true"].sum() - 1,
            "runs_with_losing_pick": p["losing"].mean(),
            "clients": g["seed"].nunique(),
        })  # fmt: skip
    return pd.DataFrame(out)


def mixedlm_comparison(folder: Path) -> dict[str, float]:
    """On a generated client folder: the measured workflows' MAE of their own regression, of the
    kit's shrunk estimate and of statsmodels MixedLM (random intercept and AI slope per workflow,
    an AI effect per task type, complexity; REML), and how closely the last two agree."""
    import json

    import statsmodels.formula.api as smf

    from kit.intake import load_engagement

    eng = load_engagement(folder)
    wfs, ts = eng.table("workflows"), eng.table("time_studies")
    truth = pd.Series(json.loads((folder / "planted.json").read_text(encoding="utf-8"))["true_saving"])
    est = estimates.estimate_savings(wfs, ts, eng.settings).table.set_index("workflow_id")
    d = ts.merge(wfs[["workflow_id", "task_type"]], on="workflow_id")
    d = pd.DataFrame({
        "y": np.log(d["minutes"].astype(float)), "ai": d["ai_assisted"].astype(int), "wf": d["workflow_id"].astype(str),
        "tt": d["task_type"].astype(str), "c": d["complexity"].astype(float),
    })  # fmt: skip
    fit = smf.mixedlm("y ~ 0 + C(tt) + C(tt):ai + c", d, groups=d["wf"], re_formula="~ai").fit(reml=True)
    task = d.groupby("wf")["tt"].first()
    mixed = pd.Series({w: 1 - math.exp(fit.fe_params[f"C(tt)[{task[w]}]:ai"] + r.get("ai", 0.0)) for w, r in fit.random_effects.items()})
    m = est.index[est["source"] == "measured"]
    return {
        "mae_own": float((est.loc[m, "own_saving"] - truth[m]).abs().mean()),
        "mae_kit": float((est.loc[m, "saving"] - truth[m]).abs().mean()),
        "mae_mixedlm": float((mixed[m] - truth[m]).abs().mean()),
        "correlation_kit_mixedlm": float(np.corrcoef(est.loc[m, "saving"], mixed[m])[0, 1]),
        "mixedlm_random_slope_sd": float(math.sqrt(fit.cov_re.loc["ai", "ai"])),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1000)
    parser.add_argument("--mixedlm", type=Path, help="a generated client folder: compare with statsmodels MixedLM and stop")
    args = parser.parse_args(argv)
    if args.mixedlm:
        print(mixedlm_comparison(args.mixedlm))
        return
    for setting in {**SETTINGS, **ROBUSTNESS}:
        start = time.perf_counter()
        wf, picks = run_study(args.clients, setting, args.seed)
        table = summarize(wf, picks)
        print(f"\n{setting} ({args.clients} clients, {time.perf_counter() - start:.0f} s)")
        print(table.to_string(index=False, float_format=lambda x: f"{x:.3f}"))
        by_source = wf.assign(inside=(wf["saving_low"] <= wf["true"]) & (wf["true"] <= wf["saving_high"]))
        print(by_source.groupby(["method", "source"])["inside"].agg(["mean", "size"]).to_string(float_format=lambda x: f"{x:.3f}"))


if __name__ == "__main__":
    main()
