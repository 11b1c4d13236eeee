"""PARAM/DESCRIPTION headers give MCP tool schemas and OpenAI function schemas (DIALECT.md §1.3)."""

from __future__ import annotations

import pytest

from basic.parser import parse
from basic.registry import KeywordRegistry
from basic.toolschema import json_type, openai_function, tool_schema

HEADER = """PARAM name AS STRING LIKE "Ana Silva" DESCRIPTION "Full name"
PARAM age AS integer DESCRIPTION "Age in years"
PARAM born AS DATE LIKE "2024-01-15" DESCRIPTION "Birth date"
PARAM plan AS string ENUM ["basic", "pro"] DESCRIPTION "Plan"
PARAM tags AS list DESCRIPTION "Tags"
DESCRIPTION "Registers a customer"
"""


@pytest.fixture
def program():
    return parse(HEADER, file="register.bas", registry=KeywordRegistry())


@pytest.mark.parametrize(
    ("declared", "expected"),
    [
        ("integer", "integer"),
        ("INT", "integer"),
        ("number", "integer"),
        ("float", "number"),
        ("double", "number"),
        ("decimal", "number"),
        ("boolean", "boolean"),
        ("bool", "boolean"),
        ("array", "array"),
        ("list", "array"),
        ("object", "object"),
        ("map", "object"),
        ("string", "string"),
        ("date", "string"),
        ("email", "string"),
    ],
)
def test_type_mapping(declared, expected):
    assert json_type(declared) == expected


def test_mcp_tool_schema(program):
    schema = tool_schema(program, "register")
    assert schema["name"] == "register" and schema["description"] == "Registers a customer"
    inputs = schema["inputSchema"]
    assert inputs["type"] == "object"
    assert inputs["required"] == ["name", "age", "born", "plan", "tags"]
    assert inputs["properties"]["name"] == {
        "type": "string",
        "description": "Full name",
        "examples": ["Ana Silva"],
    }
    assert inputs["properties"]["age"] == {"type": "integer", "description": "Age in years"}
    assert inputs["properties"]["born"] == {
        "type": "string",
        "description": "Birth date",
        "format": "date",
        "examples": ["2024-01-15"],
    }
    assert inputs["properties"]["plan"]["enum"] == ["basic", "pro"]
    assert inputs["properties"]["tags"]["type"] == "array"


def test_openai_function(program):
    function = openai_function(program, "register")
    assert function["type"] == "function"
    assert function["function"]["name"] == "register"
    assert function["function"]["description"] == "Registers a customer"
    assert function["function"]["parameters"] == tool_schema(program, "register")["inputSchema"]


def test_script_without_header():
    program = parse("x = 1", registry=KeywordRegistry())
    assert tool_schema(program, "x") == {
        "name": "x",
        "description": "",
        "inputSchema": {"type": "object", "properties": {}, "required": []},
    }
