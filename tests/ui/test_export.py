"""Export screen: formats and folder, files written where it says, errors in one line."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Checkbox, Input, ProgressBar, Static
from ui_support import open_store, settle, type_text

from workbench.ui.screens.export import ExportScreen


async def open_export(pilot) -> ExportScreen:
    await pilot.press("X")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, ExportScreen)
    return screen


def result(screen: ExportScreen) -> str:
    return str(screen.query_one("#export-result-text", Static).render())


async def test_html_is_written_beside_the_project(sample_path: Path, make_app) -> None:
    app = make_app(sample_path)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_export(pilot)
        assert screen.formats() == ["html"]
        assert screen.query_one("#export-folder", Input).value == str(sample_path.parent)
        await pilot.press("w")
        await settle(pilot)
        target = sample_path.parent / "sample-readiness.html"
        assert str(target) in result(screen)  # the absolute path, in full
        bar = screen.query_one("#export-progress", ProgressBar)
        assert (bar.progress, bar.total) == (1, 1)
    html = target.read_text(encoding="utf-8")
    with open_store(sample_path) as store:
        data = store.load()
        assert data.project.name in html
        assert data.parking_lot[0].text.replace("'", "&#39;") in html  # the parking lot
        assert store.history(limit=1)[0].by == "sample"  # exporting saved nothing


async def test_choose_formats_and_folder(sample_path: Path, tmp_path: Path, make_app) -> None:
    out = tmp_path / "reports"
    out.mkdir()
    app = make_app(sample_path)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_export(pilot)
        await pilot.press("shift+tab", "space")  # Markdown on
        await pilot.press("tab", "space")  # HTML off
        await pilot.press("tab", "tab", "space")  # TOML on
        assert screen.formats() == ["md", "toml"]
        await pilot.press("tab")  # the folder
        folder = screen.query_one("#export-folder", Input)
        assert app.focused is folder
        folder.value = ""
        await type_text(pilot, str(out))
        await pilot.press("enter")  # enter in the folder writes the files
        await settle(pilot)
        text = result(screen)
        assert str(out / "sample-readiness.md") in text
        assert str(out / "sample-readiness.toml") in text
    assert sorted(p.name for p in out.iterdir()) == ["sample-readiness.md", "sample-readiness.toml"]
    markdown = (out / "sample-readiness.md").read_text(encoding="utf-8")
    assert "Parking lot" in markdown
    with open_store(sample_path) as store:
        assert store.load().project.name in markdown


async def test_a_missing_folder_is_one_line_and_nothing_is_written(
    sample_path: Path, tmp_path: Path, make_app
) -> None:
    app = make_app(sample_path)
    missing = tmp_path / "no" / "such"
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_export(pilot)
        screen.query_one("#export-folder", Input).value = str(missing)
        await pilot.press("w")
        await settle(pilot)
        text = result(screen)
        assert "its parent folder does not exist" in text and "\n" not in text
        assert screen.query_one("#export-result-text", Static).has_class("-error")
        await pilot.press("space")  # HTML off: no format at all
        await pilot.press("w")
        await settle(pilot)
        assert "Tick at least one format" in result(screen)
    assert not missing.exists() and not missing.parent.exists()
    assert list(tmp_path.glob("**/*-readiness.*")) == []
    with open_store(sample_path) as store:
        assert store.history(limit=1)[0].by == "sample"


async def test_download_and_open_the_html(sample_path: Path, make_app, monkeypatch) -> None:
    app = make_app(sample_path)
    delivered: list[tuple[object, dict]] = []
    opened: list[str] = []
    monkeypatch.setattr(app, "deliver_text", lambda path, **kw: delivered.append((path, kw)))
    monkeypatch.setattr(app, "open_url", lambda url, **kw: opened.append(url))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_export(pilot)
        await pilot.press("d")  # nothing written yet
        await settle(pilot)
        assert delivered == [] and "Write the HTML report first" in result(screen)
        await pilot.press("w")
        await settle(pilot)
        await pilot.press("d", "o")
        await settle(pilot)
    target = (sample_path.parent / "sample-readiness.html").resolve()
    assert delivered == [(target, {"save_filename": target.name, "mime_type": "text/html"})]
    assert opened == [target.as_uri()] and opened[0].startswith("file:///")
    with open_store(sample_path) as store:
        assert store.load().project.name in target.read_text(encoding="utf-8")


async def test_checkboxes_default_to_html(new_path: Path, make_app) -> None:
    app = make_app(new_path)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_export(pilot)
        ticked = {c.id: c.value for c in screen.query(Checkbox)}
        assert ticked == {
            "format-md": False,
            "format-html": True,
            "format-json": False,
            "format-toml": False,
        }
    with open_store(new_path) as store:
        assert store.history_count() == 1
