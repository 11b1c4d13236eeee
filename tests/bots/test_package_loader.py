"""The package loader against odd and broken .gbai folders (DIALECT.md §1.1)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bots.models import Bot, BotConfig, BotMemory, Conversation, Message
from bots.packages.loader import load_packages
from bots.services import package_sync_all

START = 'TALK "hi"\n'
CONFIG = "name,value\nbot-description,A test bot\nllm-model,gpt\n"


def _by_name(result):
    return {loaded.name: loaded for loaded in result.packages}


def test_standard_layout(make_package) -> None:
    make_package("shop", {"shop.gbdialog/start.bas": START, "shop.gbot/config.csv": CONFIG})
    loaded = _by_name(load_packages([make_package.root]))["shop"]
    assert [path.name for path in loaded.package.dialogs] == ["start.bas"]
    assert loaded.package.start_dialog is not None
    assert loaded.config.as_dict() == {"bot-description": "A test bot", "llm-model": "gpt"}
    assert loaded.problems == []


def test_odd_layouts_are_accepted(make_package) -> None:
    make_package("bank", {"start.bas": START, "extra.bas": START})  # dialogs directly in .gbai
    make_package(
        "campaign-manager",
        {
            "marketing.gbdialog/start.bas": START,  # differently named .gbdialog
            "marketing.gbdialog/campaigns/welcome.bas": START,  # nested folder
            "marketing.gbdialog/campaigns/deep/more.bas": START,
            "crm.gbot/config.csv": "name,value\nbot-description,From crm.gbot\n",
            "notes.txt": "not a dialog",
        },
    )
    result = load_packages([make_package.root])
    packages = _by_name(result)
    assert sorted(packages) == ["bank", "campaign-manager"]
    assert [path.name for path in packages["bank"].package.dialogs] == ["extra.bas", "start.bas"]
    campaign = packages["campaign-manager"]
    assert len(campaign.package.dialogs) == 3
    assert campaign.config.as_dict() == {"bot-description": "From crm.gbot"}
    assert result.all_problems == []


def test_own_gbot_folder_wins_over_others(make_package) -> None:
    make_package(
        "hipaa",
        {
            "start.bas": START,
            "aaa.gbot/config.csv": "bot-description,other\n",
            "hipaa.gbot/config.csv": "bot-description,own\n",
        },
    )
    loaded = _by_name(load_packages([make_package.root]))["hipaa"]
    assert loaded.config.as_dict() == {"bot-description": "own"}


def test_packages_nested_in_subfolders_are_found(make_package, tmp_path: Path) -> None:
    make_package("ai/writer", {"writer.gbdialog/start.bas": START})
    assert sorted(_by_name(load_packages([make_package.root]))) == ["writer"]


def test_problems_are_reported_per_package_with_file_and_line(make_package, tmp_path: Path) -> None:
    make_package("good", {"good.gbdialog/start.bas": START})
    make_package("empty", {"empty.gbot/config.csv": CONFIG})
    broken_config = make_package(
        "badconfig", {"start.bas": START, "badconfig.gbot/config.csv": "name,value\nok,1\nno comma here\n"}
    )
    unreadable = make_package("unreadable", {"start.bas": START, "unreadable.gbdialog/lost.bas": None})
    encoding = make_package("latin", {"start.bas": b"TALK 'ok'\nTALK \"ol\xe1\"\n"})
    make_package("bad name!", {"start.bas": START})
    result = load_packages([make_package.root, tmp_path / "missing-folder"])
    problems = [str(problem) for problem in result.all_problems]
    assert f"{tmp_path / 'missing-folder'}: package folder does not exist; fix GB_PACKAGE_DIRS" in problems
    packages = _by_name(result)
    assert packages["good"].problems == []
    assert "no dialogs found" in packages["empty"].problems[0].message
    assert [(p.path, p.line) for p in packages["badconfig"].problems] == [
        (broken_config / "badconfig.gbot" / "config.csv", 3)
    ]
    assert packages["badconfig"].config_ok is False
    assert packages["unreadable"].problems[0].path == unreadable / "unreadable.gbdialog" / "lost.bas"
    assert "cannot read" in packages["unreadable"].problems[0].message
    assert (packages["latin"].problems[0].path, packages["latin"].problems[0].line) == (
        encoding / "start.bas",
        2,
    )
    assert packages["bad name!"].registrable is False


def test_duplicate_package_names_are_reported(make_package, tmp_path: Path) -> None:
    make_package("twin", {"start.bas": START})
    other = tmp_path / "other" / "twin.gbai"
    other.mkdir(parents=True)
    (other / "start.bas").write_text(START)
    result = load_packages([make_package.root, tmp_path / "other"])
    assert [loaded.name for loaded in result.packages] == ["twin"]
    assert "already loaded" in result.problems[0].message and result.problems[0].path == other


def test_a_package_folder_can_be_given_directly(make_package) -> None:
    path = make_package("solo", {"start.bas": START})
    assert [loaded.name for loaded in load_packages([path]).packages] == ["solo"]


@pytest.mark.django_db
def test_sync_registers_bots_with_config_and_survives_broken_packages(make_package) -> None:
    make_package("shop", {"shop.gbdialog/start.bas": START, "shop.gbot/config.csv": CONFIG})
    make_package("empty", {})
    make_package("badconfig", {"start.bas": START, "badconfig.gbot/config.csv": "oops\n"})
    make_package("bad name!", {"start.bas": START})
    report = package_sync_all(roots=[make_package.root])
    assert sorted(report.created) == ["badconfig", "empty", "shop"]
    shop = Bot.objects.get(name="shop")
    assert shop.active and shop.description == "A test bot"
    assert shop.source_path == str(make_package.root / "shop.gbai")
    assert dict(shop.config.values_list("key", "value")) == {
        "bot-description": "A test bot",
        "llm-model": "gpt",
    }
    assert BotConfig.objects.get(bot=shop, key="llm-model").line == 3
    assert not BotConfig.objects.filter(bot__name="badconfig").exists()
    assert len(report.all_problems) == 3


@pytest.mark.django_db
def test_sync_is_idempotent(make_package) -> None:
    make_package("shop", {"shop.gbdialog/start.bas": START, "shop.gbot/config.csv": CONFIG})
    package_sync_all(roots=[make_package.root])
    before = list(Bot.objects.values())
    config_before = list(BotConfig.objects.values())
    report = package_sync_all(roots=[make_package.root])
    assert report.unchanged == ["shop"] and report.created == report.updated == []
    assert list(Bot.objects.values()) == before
    assert list(BotConfig.objects.values()) == config_before


@pytest.mark.django_db
def test_sync_applies_config_changes_and_keeps_config_when_it_breaks(make_package) -> None:
    package = make_package("shop", {"start.bas": START, "shop.gbot/config.csv": CONFIG})
    package_sync_all(roots=[make_package.root])
    config = package / "shop.gbot" / "config.csv"
    config.write_text("name,value\nbot-description,Changed\nnew-key,1\n")
    report = package_sync_all(roots=[make_package.root])
    assert report.updated == ["shop"]
    bot = Bot.objects.get(name="shop")
    assert bot.description == "Changed"
    assert dict(bot.config.values_list("key", "value")) == {"bot-description": "Changed", "new-key": "1"}
    config.write_text("name,value\nbot-description,Broken\nthis line has no comma\n")
    report = package_sync_all(roots=[make_package.root])
    assert [(p.path, p.line) for p in report.all_problems] == [(config, 3)]
    bot.refresh_from_db()
    assert bot.description == "Changed"
    assert dict(bot.config.values_list("key", "value")) == {"bot-description": "Changed", "new-key": "1"}


@pytest.mark.django_db
def test_vanished_package_deactivates_its_bot_and_keeps_its_data(make_package) -> None:
    import shutil

    path = make_package("shop", {"start.bas": START, "shop.gbot/config.csv": CONFIG})
    make_package("stays", {"start.bas": START})
    manual = Bot.objects.create(name="made-in-admin")
    package_sync_all(roots=[make_package.root])
    shop = Bot.objects.get(name="shop")
    conversation = Conversation.objects.create(bot=shop, user_key="visitor-1")
    Message.objects.create(conversation=conversation, role="user", content="hello")
    BotMemory.objects.create(bot=shop, key="count", value=3)
    shutil.rmtree(path)
    report = package_sync_all(roots=[make_package.root])
    assert report.deactivated == ["shop"]
    shop.refresh_from_db()
    assert shop.active is False
    assert shop.config.count() == 2 and Message.objects.filter(conversation__bot=shop).count() == 1
    assert BotMemory.objects.get(bot=shop).value == 3
    assert Bot.objects.get(name="stays").active and Bot.objects.get(pk=manual.pk).active
    assert package_sync_all(roots=[make_package.root]).deactivated == []
    make_package("shop", {"start.bas": START, "shop.gbot/config.csv": CONFIG})
    assert package_sync_all(roots=[make_package.root]).updated == ["shop"]
    assert Bot.objects.get(name="shop").active is True


@pytest.mark.django_db
def test_bundled_hello_package_loads_cleanly(settings) -> None:
    report = package_sync_all(roots=[settings.BASE_DIR / "bottemplates"])
    assert "hello" in report.created
    assert report.all_problems == []
    hello = Bot.objects.get(name="hello")
    assert hello.description.startswith("A minimal example bot")
