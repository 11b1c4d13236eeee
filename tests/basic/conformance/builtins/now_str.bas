s = NOW_STR()
TALK LEN(s)
TALK s LIKE "####-##-## ##:##:##"
TALK TYPEOF(s)
TALK ISDATE(s)
