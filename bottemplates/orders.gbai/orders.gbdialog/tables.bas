' The orders bot's tables (created as real tables when the package syncs).
TABLE customers
    name string(100) PRIMARY KEY
    orders integer DEFAULT 0
END TABLE

TABLE orders
    id integer PRIMARY KEY
    customer string(100) NOT NULL
    product string(50) NOT NULL
    quantity integer NOT NULL
END TABLE
