"""`misinfo nlp …`: tag a text, train a new model version, evaluate on labelled data."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

console = Console()
nlp_app = typer.Typer(help="Vietnamese NLP: tag texts, train and evaluate the narrative tagger.", no_args_is_help=True)


def _settings():  # noqa: ANN202 - the CLI's own settings loader (one clear line on a bad variable)
    from misinfo.settings import load_settings

    return load_settings()


@nlp_app.command("tag")
def tag_cmd(
    text: Annotated[str, typer.Argument(help="Vietnamese text (with or without diacritics).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Print the narratives a text is about, with score and evidence, and the claims it repeats."""
    from misinfo.domain import Post
    from nlp.stage import NlpStage

    s = _settings()
    stage = NlpStage(s, persist=False)
    from datetime import UTC, datetime

    now = datetime.now(UTC)
    post = Post(platform="cli", post_id="1", source="cli", url="", author="", author_name="", text=text,
                created_at=now, collected_at=now)
    tagged = stage([post])[0]
    if as_json:
        out = {"tags": [t.to_dict() for t in tagged.tags], "claims": [c.to_dict() for c in tagged.claims],
               "model_version": tagged.model_version}
        sys.stdout.write(json.dumps(out, ensure_ascii=False) + "\n")
        return
    taxonomy = stage.tagger.taxonomy
    if not tagged.tags:
        console.print("no narrative")
    for t in tagged.tags:
        console.print(f"[bold]{t.narrative}[/] ({escape(taxonomy.label(t.narrative))}) score {t.score:.2f}")
        for e in t.evidence:
            console.print(f"  {e.kind}: {escape(e.value)} ({e.weight:+.3f})")
    for c in tagged.claims:
        claim = stage.claims.registry.get(c.claim_id)
        console.print(f"[bold red]claim[/] {c.claim_id} score {c.score:.2f}: {escape(claim.text if claim else '')}")
    console.print(f"[dim]model {tagged.model_version}[/]")


@nlp_app.command("train")
def train_cmd(
    data: Annotated[
        list[Path] | None,
        typer.Option("--data", help="Labelled JSONL file(s); default MISINFO_LABELLED_DATA. Repeatable."),
    ] = None,
) -> None:
    """Train a new model version on the examples, the labelled data and analysts' reviews."""
    from nlp.train import train_and_save

    s = _settings()
    model, path = train_and_save(s, data or (), progress=True)
    console.print(f"saved model {model.version} ({model.info.get('n')} texts) to {path}")


@nlp_app.command("evaluate")
def evaluate_cmd(
    data: Annotated[Path | None, typer.Option("--data", help="Labelled JSONL (default MISINFO_LABELLED_DATA).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    cv: Annotated[
        int, typer.Option("--cv", min=0, help="k-fold cross-validation of rules, model and hybrid (0: off).")
    ] = 0,
    strip_diacritics: Annotated[bool, typer.Option("--strip-diacritics", help="Remove diacritics first.")] = False,
    false_alarm_data: Annotated[
        Path | None,
        typer.Option("--false-alarms", help="Real off-topic texts (default: nlp/data/real/false_alarms.jsonl)."),
    ] = None,
) -> None:
    """Precision, recall, F1 and support per narrative plus macro-F1, and the false-alarm rate on real
    off-topic text (overall, everyday, hard, per narrative) of the current tagger."""
    from nlp.evaluate import (
        EXAMPLES_PATH,
        FALSE_ALARMS_PATH,
        cross_validate,
        evaluate,
        false_alarms,
        load_labelled,
    )
    from nlp.model import TaggerModel, newest_model_path
    from nlp.tagger import Tagger
    from nlp.taxonomy import load_taxonomy

    s = _settings()
    labelled = load_labelled(data or s.labelled_data)
    taxonomy = load_taxonomy(s.narratives)
    if cv:
        res = cross_validate(labelled, taxonomy, extra=load_labelled(EXAMPLES_PATH), k=cv,
                             strip_diacritics=strip_diacritics)
        out = {m: res[m] for m in ("rules", "model", "hybrid")} | {"k": cv, "n": res["n"]}
        if as_json:
            sys.stdout.write(json.dumps(out, ensure_ascii=False) + "\n")
            return
        for mode in ("rules", "model", "hybrid"):
            _print_report(f"{cv}-fold CV, {mode}", res[mode])
        return
    model = TaggerModel.load(newest_model_path(s.home))
    tagger = Tagger(taxonomy, model)
    result = evaluate(tagger, labelled, strip_diacritics=strip_diacritics)
    fa_path = false_alarm_data or FALSE_ALARMS_PATH
    result["false_alarms"] = false_alarms(tagger, load_labelled(fa_path), strip_diacritics=strip_diacritics)
    if as_json:
        sys.stdout.write(json.dumps(result, ensure_ascii=False) + "\n")
        return
    _print_report(f"model {model.version} on {len(labelled)} texts", result)
    _print_false_alarms(f"false alarms on {fa_path.name}", result["false_alarms"], taxonomy.ids)


def _print_report(title: str, result: dict) -> None:
    table = Table(title=title)
    for col in ("narrative", "precision", "recall", "f1", "support"):
        table.add_column(col, justify="left" if col == "narrative" else "right")
    for n, m in result["per_label"].items():
        table.add_row(n, f"{m['precision']:.3f}", f"{m['recall']:.3f}", f"{m['f1']:.3f}", str(m["support"]))
    table.add_row("[bold]macro-F1[/]", "", "", f"[bold]{result['macro_f1']:.3f}[/]", str(result["n"]))
    console.print(table)


def _print_false_alarms(title: str, fa: dict, ids: tuple[str, ...]) -> None:
    table = Table(title=title)
    kinds = list(fa)
    table.add_column("narrative")
    for k in kinds:
        table.add_column(f"{k} (n={fa[k]['n']})", justify="right")
    for n in ids:
        table.add_row(n, *(f"{fa[k]['per_narrative'][n]['tagged']} ({fa[k]['per_narrative'][n]['rate']:.1%})" for k in kinds))
    table.add_row("[bold]any tag[/]", *(f"[bold]{fa[k]['tagged']} ({fa[k]['rate']:.1%})[/]" for k in kinds))
    console.print(table)


def register(app: typer.Typer) -> None:
    app.add_typer(nlp_app, name="nlp")
