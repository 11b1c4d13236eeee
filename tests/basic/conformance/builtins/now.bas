n = NOW()
TALK LEN(n.formatted)
TALK n.formatted LIKE "####-##-## ##:##:##"
TALK n.year >= 2025
TALK n.month >= 1 AND n.month <= 12
TALK n.day >= 1 AND n.day <= 31
TALK n.hour >= 0 AND n.hour <= 23
TALK n.weekday >= 1 AND n.weekday <= 7
TALK TYPEOF(n)
TALK LEN("" + n)
TALK n = n.formatted
