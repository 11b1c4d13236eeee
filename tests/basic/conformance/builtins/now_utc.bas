u = NOW_UTC()
TALK u.formatted LIKE "####-##-## ##:##:##"
TALK u.hour >= 0 AND u.hour <= 23
TALK TYPEOF(u.minute)
