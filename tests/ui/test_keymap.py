"""The keymap: every key has an id of its own, a remapped key works, a typo is named."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from ui_support import open_store, settle

from workbench.ui.app import WorkbenchApp
from workbench.ui.compat import notifications
from workbench.ui.keymap import declared_bindings, unknown_ids

README = Path(__file__).resolve().parents[2] / "README.md"
ITEM = "testing.dataset-documented"  # the checklist's first row


def test_every_key_has_an_id_and_no_two_share_one() -> None:
    declared = declared_bindings()
    assert "" not in declared, f"bindings without an id: {declared.get('')}"
    shared = {key: where for key, where in declared.items() if len(where) > 1}
    assert shared == {}
    assert len(declared) > 100  # (the walk found the screens, not just the app)


def test_the_readmes_keymap_names_real_keys() -> None:
    text = README.read_text(encoding="utf-8")
    block = re.search(r"```toml\n(theme = .*?\[keymap\].*?)```", text, re.S)
    assert block is not None
    keymap = tomllib.loads(block.group(1))["keymap"]
    assert keymap and unknown_ids(keymap) == []


async def test_a_remapped_key_does_what_the_old_one_did(new_path: Path, tmp_path: Path) -> None:
    config = tmp_path / "keys.toml"
    config.write_text('[keymap]\ntoggle-item = "x"\n', encoding="utf-8")
    app = WorkbenchApp(new_path, editor="Ana", config_file=config)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("3")
        await settle(pilot)
        await pilot.press("x")
        await settle(pilot)
    with open_store(new_path) as store:
        assert store.get("item", ITEM).status == "done"


async def test_a_keymap_id_no_key_has_is_named(new_path: Path, tmp_path: Path) -> None:
    config = tmp_path / "keys.toml"
    config.write_text('[keymap]\ntoggle-itme = "x"\ntoggle-item = "t"\n', encoding="utf-8")
    app = WorkbenchApp(new_path, editor="Ana", config_file=config)
    async with app.run_test(size=(120, 40)) as pilot:
        for _ in range(50):
            if notifications(app):
                break
            await pilot.pause(0.1)
        messages = notifications(app)
    assert messages == ["keymap: no key has the id 'toggle-itme'; press ? for the ids"]
