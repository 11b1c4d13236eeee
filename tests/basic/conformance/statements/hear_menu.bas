HEAR color AS "Red", "Green", "Blue"
TALK "color: " + color
options = ["Small", "Large"]
HEAR size AS options
TALK "size: " + size
HEAR pick AS ["Yes", "No"]
TALK "pick: " + pick
