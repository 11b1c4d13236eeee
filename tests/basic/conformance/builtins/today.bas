t = TODAY()
TALK t.formatted LIKE "####-##-##"
TALK LEN("" + t)
TALK t.month >= 1 AND t.month <= 12
TALK ISDATE(t)
