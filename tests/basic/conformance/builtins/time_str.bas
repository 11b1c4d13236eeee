s = TIME_STR()
TALK s LIKE "##:##:##"
TALK LEN(s)
