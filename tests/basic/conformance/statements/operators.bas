TALK 7 + 3
TALK 7 - 10
TALK 6 * 7
TALK 7 / 2
TALK 7 \ 2
TALK -7 \ 2
TALK 7 MOD 3
TALK -7 MOD 3
TALK 2 ^ 10
TALK 2 ^ 3 ^ 2
TALK -2 ^ 2
TALK 2 ^ -1
TALK "a" & "b" & 1
TALK "n" + 1 + 2
TALK 1 + 2 + "n"
TALK "3" * 2
TALK "3" + 1
TALK 2 + 3 * 4
TALK (2 + 3) * 4
TALK 10 - 2 - 3
TALK 100 / 10 / 5
TALK -(3 + 2)
TALK [1, 2] + [3]
TALK 1 = 1
TALK 1 == 2
TALK 1 <> 2
TALK 1 != 1
TALK 1 < 2
TALK 2 > 3
TALK 2 <= 2
TALK 3 >= 4
TALK "2" = 2
TALK "abc" < "abd"
TALK TRUE AND FALSE
TALK TRUE OR FALSE
TALK NOT FALSE
TALK NOT 1 = 2
TALK 1 = 1 AND 2 = 3 OR TRUE
TALK 2 IN [1, 2, 3]
TALK 5 NOT IN [1, 2, 3]
TALK "ell" IN "hello"
TALK "name" IN #{ name: 1 }
TALK "hello.bas" LIKE "*.bas"
TALK "abc" LIKE "a_c"
TALK "A1" LIKE "?#"
TALK "report" LIKE "rep%"
TALK "x" LIKE "y*"
