' A tool: places one order. The LLM fills its PARAMs; start.bas CALLs it; a chip runs it with none.
PARAM customer AS STRING LIKE "Ana" DESCRIPTION "The name the order is for"
PARAM product AS STRING ENUM ["Espresso beans", "Green tea", "Mug"] DESCRIPTION "What to order"
PARAM quantity AS INTEGER LIKE "2" DESCRIPTION "How many"
DESCRIPTION "Place an order for a customer and save it in the orders table"

IF customer = "" THEN
    customer = GET USER MEMORY("name")
END IF
IF customer = "" THEN
    TALK "Who is the order for?"
    HEAR customer AS NAME
END IF
IF product = "" THEN
    TALK "Which product?"
    HEAR product AS "Espresso beans", "Green tea", "Mug"
END IF
IF quantity = "" THEN
    TALK "How many?"
    HEAR quantity AS INTEGER
END IF

id = UBOUND(FIND("orders", "")) + 1
SAVE "orders", id, customer, product, quantity
known = FIND("customers", "name=" + customer)
count = 1
IF UBOUND(known) > 0 THEN
    count = known[0].orders + 1
END IF
SAVE "customers", customer, count
SET BOT MEMORY "last_order", quantity + " x " + product
TALK "Order #" + id + " saved: " + quantity + " x " + product + " for " + customer + "."
