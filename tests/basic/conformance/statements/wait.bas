TALK "before"
WAIT 0
TALK "after"
WAIT 0.01
TALK "done"
