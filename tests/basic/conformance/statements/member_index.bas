data = #{ items: [#{ sku: "A1", qty: 2 }, #{ sku: "B2", qty: 5 }], owner: #{ name: "Rui" } }
TALK data.items[1].sku
TALK data.owner.name
i = 0
TALK data.items[i + 1].qty
key = "owner"
TALK data[key].name
data.items[0].qty = 7
TALK data.items[0].qty
data.owner.name = "Ana"
TALK data.owner.name
data["owner"]["role"] = "admin"
TALK data.owner
total = 0
FOR EACH item IN data.items
  total = total + item.qty
NEXT
TALK total
TALK [5, 6, 7][1]
