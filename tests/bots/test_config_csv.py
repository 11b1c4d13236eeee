"""config.csv parsing by the rules of DIALECT.md §1.2."""

from pathlib import Path

from bots.packages.config_csv import param_value, param_variables, parse_config_file, parse_config_text

PATH = Path("demo.gbai/demo.gbot/config.csv")


def test_header_comments_and_blank_separators_are_skipped() -> None:
    text = "name,value\n# a comment\n,\n,,\n\n  # indented comment\nbot-name,Demo\n"
    result = parse_config_text(text, PATH)
    assert [(row.key, row.value, row.line) for row in result.rows] == [("bot-name", "Demo", 7)]
    assert result.problems == []


def test_value_keeps_everything_after_the_first_comma() -> None:
    result = parse_config_text("name,value\nwelcome-message,Hello, friend, welcome!\n", PATH)
    assert result.as_dict() == {"welcome-message": "Hello, friend, welcome!"}


def test_title_case_keys_with_spaces_and_kebab_case_keys_both_kept() -> None:
    text = "name,value\nAnswer Mode,document\nStart Dialog,start\nllm-model,gpt-4o-mini\n"
    assert parse_config_text(text, PATH).as_dict() == {
        "Answer Mode": "document",
        "Start Dialog": "start",
        "llm-model": "gpt-4o-mini",
    }


def test_header_is_optional_and_only_skipped_as_the_first_row() -> None:
    assert parse_config_text("bot-name,Demo\n", PATH).as_dict() == {"bot-name": "Demo"}
    later = parse_config_text("bot-name,Demo\nname,value\n", PATH)
    assert later.as_dict() == {"bot-name": "Demo", "name": "value"}


def test_empty_value_is_allowed_and_whitespace_is_trimmed() -> None:
    result = parse_config_text("  theme-logo ,  \r\nllm-key,  abc  \r\n", PATH)
    assert result.as_dict() == {"theme-logo": "", "llm-key": "abc"}


def test_repeated_key_keeps_the_last_value() -> None:
    assert parse_config_text("llm-model,a\nllm-model,b\n", PATH).as_dict() == {"llm-model": "b"}


def test_malformed_lines_are_reported_with_their_line_numbers() -> None:
    text = "name,value\nbot-name,Demo\njust some words\n,orphan value\nllm-model,x\n"
    result = parse_config_text(text, PATH)
    assert result.as_dict() == {"bot-name": "Demo", "llm-model": "x"}
    assert [(problem.line, problem.path) for problem in result.problems] == [(3, PATH), (4, PATH)]
    assert "add a comma" in result.problems[0].message
    assert str(result.problems[0]).startswith(f"{PATH}:3: ")
    assert "no name" in result.problems[1].message


def test_param_keys_become_typed_lower_case_variables() -> None:
    config = {
        "param-blingHost": "api.example.com",
        "param-Retries": "3",
        "param-ratio": "0.25",
        "param-enabled": "TRUE",
        "param-off": "false",
        "param-code": "1_000",
        "Param-Upper": "x",
        "llm-model": "ignored",
        "param-": "nameless",
    }
    assert param_variables(config) == {
        "blinghost": "api.example.com",
        "retries": 3,
        "ratio": 0.25,
        "enabled": True,
        "off": False,
        "code": "1_000",
        "upper": "x",
    }
    assert param_value("-7") == -7
    assert param_value("1e3") == 1000.0


def test_file_with_bom_and_bad_encoding(tmp_path: Path) -> None:
    good = tmp_path / "good.csv"
    good.write_bytes("\ufeffname,value\nbot-name,Olá\n".encode())
    assert parse_config_file(good).as_dict() == {"bot-name": "Olá"}
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"name,value\nbot-name,ok\nwelcome,\xff\xfe\n")
    result = parse_config_file(bad)
    assert result.rows == []
    assert [(problem.path, problem.line) for problem in result.problems] == [(bad, 3)]
    assert "UTF-8" in result.problems[0].message


def test_unreadable_file_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    link = tmp_path / "config.csv"
    link.symlink_to(tmp_path / "missing.csv")
    result = parse_config_file(link)
    assert result.rows == [] and len(result.problems) == 1
    assert "cannot read" in result.problems[0].message
