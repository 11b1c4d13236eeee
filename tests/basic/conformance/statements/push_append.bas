items = []
PUSH items, "a"
APPEND items, "b"
items.PUSH("c")
TALK items
copy = PUSH(items, "d")
TALK items
TALK copy
PUSH fresh, 1
TALK fresh
order = #{ lines: [] }
order.lines.PUSH(#{ sku: "A" })
TALK order.lines
TALK UBOUND(order.lines)
