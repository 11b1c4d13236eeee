' exit: 3
TALK "Your name?"
HEAR name
TALK "never printed"
