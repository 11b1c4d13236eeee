"""A script's tool schema, from its PARAM and DESCRIPTION header (DIALECT.md §1.3).

Every ``.bas`` other than start.bas can be called as a tool by an LLM or an MCP client; its
header says what arguments it takes. The same input schema is offered in the two shapes the
callers expect: an MCP tool and an OpenAI function.
"""

from __future__ import annotations

from typing import Any

from .nodes import Param, Program

_TYPES = {
    "integer": "integer",
    "int": "integer",
    "number": "integer",
    "float": "number",
    "double": "number",
    "decimal": "number",
    "boolean": "boolean",
    "bool": "boolean",
    "array": "array",
    "list": "array",
    "object": "object",
    "map": "object",
}


def json_type(param_type: str) -> str:
    """The JSON Schema type of a PARAM type; anything unknown is a string."""
    return _TYPES.get(param_type.lower(), "string")


def param_schema(param: Param) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": json_type(param.type), "description": param.description}
    if param.type.lower() == "date":
        schema["format"] = "date"
    if param.example is not None:
        schema["examples"] = [param.example]
    if param.enum is not None:
        schema["enum"] = list(param.enum)
    return schema


def input_schema(program: Program) -> dict[str, Any]:
    """JSON Schema of the arguments; every PARAM is required, as in the reference server."""
    return {
        "type": "object",
        "properties": {param.name: param_schema(param) for param in program.params},
        "required": [param.name for param in program.params],
    }


def tool_schema(program: Program, name: str) -> dict[str, Any]:
    """The MCP tool schema; ``name`` is the script's file stem."""
    return {"name": name, "description": program.description or "", "inputSchema": input_schema(program)}


def openai_function(program: Program, name: str) -> dict[str, Any]:
    """The OpenAI ``tools`` entry for the script."""
    return {
        "type": "function",
        "function": {
            "name": name,
            "description": program.description or "",
            "parameters": input_schema(program),
        },
    }
