PARAM name AS STRING DESCRIPTION "Who to greet"
PARAM times AS INTEGER DESCRIPTION "How many times"
DESCRIPTION "Greets someone a number of times"
FOR i = 1 TO times
  TALK "Hi " + name
NEXT
RETURN "greeted " + name
