WITH customer
  .name = "Ana"
  .age = 30
  .address = #{ city: "Porto" }
END WITH
TALK customer.name
TALK customer.age + 1
TALK customer.address.city
TALK customer
order = #{ id: 7 }
WITH order
  .status = "paid"
  .total = 70
END WITH
TALK order
