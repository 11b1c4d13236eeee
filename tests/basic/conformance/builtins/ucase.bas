TALK UCASE("Olá")
TALK UPPER("abc")
TALK "[" + UCASE("") + "]"
TALK ucase("mixed Case")
