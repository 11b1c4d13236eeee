t = TIME()
TALK t.formatted LIKE "##:##:##"
TALK LEN("" + t)
TALK t.minute >= 0 AND t.minute <= 59
