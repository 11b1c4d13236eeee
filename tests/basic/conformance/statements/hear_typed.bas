TALK "How old are you?"
HEAR age AS INTEGER
TALK age + 1
TALK TYPEOF(age)
HEAR email AS EMAIL
TALK "mail: " + email
HEAR ok AS BOOLEAN
IF ok THEN TALK "confirmed"
HEAR when AS DATE
TALK when
HEAR price AS MONEY
TALK price * 2
HEAR ratio AS FLOAT
TALK ratio
HEAR note AS TEXT
TALK note
