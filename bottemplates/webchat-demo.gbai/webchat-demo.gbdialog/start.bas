' The web chat demo: a menu (HEAR AS options), a typed question, then suggestion chips.
TALK "Welcome to the café. What would you like?"
HEAR drink AS "Coffee", "Tea", "Juice"
TALK "One " + drink + " coming up. What name should I call out?"
HEAR name AS NAME
TALK "Thank you, " + name + ". Your " + drink + " is on its way."
CLEAR SUGGESTIONS
ADD SUGGESTION "Thanks!"
ADD SUGGESTION "How long will it take?"
