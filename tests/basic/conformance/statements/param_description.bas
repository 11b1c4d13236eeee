PARAM customer AS STRING LIKE "Ana" DESCRIPTION "The customer's name"
PARAM qty AS INTEGER DESCRIPTION "How many items"
PARAM size AS STRING ENUM ["S", "M", "L"] DESCRIPTION "The size",
      gift AS BOOLEAN DESCRIPTION "Wrap as a gift"
DESCRIPTION "Places an order for a customer"
TALK "customer=[" + customer + "]"
TALK "qty=[" + qty + "]"
TALK "gift=[" + gift + "]"
TALK "the header lines do not run"
