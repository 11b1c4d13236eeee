CALL greet_tool("Ana", 2)
result = greet_tool("Rui", 1)
TALK result
