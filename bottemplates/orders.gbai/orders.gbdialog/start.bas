' The orders bot: a menu to place an order (the "order" tool) or list your orders.
' It needs no language model; with one configured, the model may call the order tool too.
USE TOOL "order"
name = GET USER MEMORY("name")
IF name = "" THEN
    TALK "Welcome to " + shop + "! What is your name?"
    HEAR name AS NAME
    SET USER MEMORY "name", name
ELSE
    TALK "Welcome back to " + shop + ", " + name + "!"
END IF
last = GET BOT MEMORY("last_order")
IF last <> "" THEN
    TALK "The last order placed here was " + last + "."
END IF

TALK "What would you like to do?"
HEAR choice AS "Place an order", "My orders"
IF choice = "Place an order" THEN
    TALK "Which product?"
    HEAR product AS "Espresso beans", "Green tea", "Mug"
    TALK "How many?"
    HEAR quantity AS INTEGER
    CALL order(name, product, quantity)
ELSE
    rows = FIND "orders", "customer=" + name
    IF UBOUND(rows) = 0 THEN
        TALK "You have no orders yet."
    ELSE
        FOR EACH row IN rows
            TALK "#" + row.id + ": " + row.quantity + " x " + row.product
        NEXT row
    END IF
END IF
CLEAR SUGGESTIONS
ADD SUGGESTION TOOL "order" AS "Order again"
TALK "Thank you! Tap Order again to place another order."
