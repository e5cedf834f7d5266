"""`workbench models list|install|remove`: the Argos Translate packages."""

from __future__ import annotations

import click

from workbench.cli.base import main


# --- models / translate --------------------------------------------------------------------------

@main.group("models")
def models_group() -> None:
    """List, install and remove Argos Translate packages (ARGOS_PACKAGES_DIR honoured)."""


@models_group.command("list")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="text: one package per line; json: an array of objects.")
def models_list(fmt: str) -> None:
    """Show the installed packages: from → to, version, name and path."""
    import json

    from workbench.translate import installed_packages, packages_dir

    packages = installed_packages()
    if fmt == "json":
        click.echo(json.dumps([{"name": p.name, "from": p.from_code, "to": p.to_code,
                                "version": p.version, "path": str(p.path),
                                "description": p.description} for p in packages],
                              ensure_ascii=False, indent=2))
        return
    if not packages:
        click.echo(f"no translation models installed in {packages_dir()}")
        click.echo("install one with: workbench models install PATH.argosmodel", err=True)
        return
    for p in packages:
        click.echo(f"{p.from_code} → {p.to_code}\t{p.version}\t{p.name}\t{p.path}")


@models_group.command("install")
@click.argument("path", type=click.Path(dir_okay=False))
def models_install(path: str) -> None:
    """Install the package file PATH.argosmodel (offline; replaces a package for the same pair)."""
    from workbench.translate import install_package

    p = install_package(path)
    click.echo(f"installed {p.from_code} → {p.to_code}\t{p.version}\t{p.name}\t{p.path}")


@models_group.command("remove")
@click.argument("from_code", metavar="FROM")
@click.argument("to_code", metavar="TO")
def models_remove(from_code: str, to_code: str) -> None:
    """Remove the installed package that translates FROM into TO."""
    from workbench.translate import remove_package

    p = remove_package(from_code, to_code)
    click.echo(f"removed {p.from_code} → {p.to_code}\t{p.version}\t{p.name}")
