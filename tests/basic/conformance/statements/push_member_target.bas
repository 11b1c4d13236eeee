order = #{ lines: [], tags: [] }
PUSH order.lines, #{ sku: "A" }
APPEND order.tags, "new"
PUSH order.lines, #{ sku: "B" }
TALK order
