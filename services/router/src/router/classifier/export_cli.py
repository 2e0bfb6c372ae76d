"""Write the numpy export (.npz) the router loads: of router-train model files, or of the shipped community model."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from router.classifier.model import ExportError, ModelFileError, TextClassifier, exported_path, file_digest
from router.classifier.runtime import shipped_path


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Command-line options."""
    p = argparse.ArgumentParser(prog="python -m router.classifier.export_cli", description=__doc__)
    p.add_argument("models", nargs="*", type=Path, help="model files written by router-train (export written next to "
                                                          "each, same name with .npz)")
    p.add_argument("--community", action="store_true",
                   help=f"train the community model on the bundled examples and write {shipped_path().name}")
    return p.parse_args(argv)


def export_file(path: Path) -> Path:
    """Write the export of one model file and return its path."""
    model = TextClassifier.load(path)
    linear = model.linear()
    linear.meta["model_sha256"] = file_digest(path)
    out = exported_path(path)
    linear.save(out)
    return out


def export_community() -> Path:
    """Train the shipped community model on the bundled examples and write its export into the package."""
    from router.classifier.community import default_model

    out = shipped_path()
    default_model().linear().save(out)
    return out


def main(argv: list[str] | None = None) -> int:
    """Entry point; exit status 2 when a file is not a usable model."""
    args = parse_args(argv)
    if not args.models and not args.community:
        print("nothing to export: name model files or give --community", file=sys.stderr)
        return 2
    try:
        written = [export_file(path) for path in args.models]
        if args.community:
            written.append(export_community())
    except (ModelFileError, ExportError, ValueError) as exc:
        print(f"export: {exc}", file=sys.stderr)
        return 2
    for out in written:
        print(f"written {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
