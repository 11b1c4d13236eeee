e = ERROR("bad input")
TALK IS_ERROR(e)
TALK e
TALK TYPEOF(e)
TALK GET_ERROR_MESSAGE(e)
TALK "the script goes on"
