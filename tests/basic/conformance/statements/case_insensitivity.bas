Total = 5
talk TOTAL + total
tAlK "mixed"
For i = 1 To 2
  Talk i
Next
If Total = 5 Then
  Talk "if ok"
End If
m = #{ Name: "Ana" }
TALK m.NAME
TALK m.name
TALK ucase("x") + UCase("y")
CALL Shout("hey")
shout("again")
Sub Shout(Text)
  TALK UCASE(text)
End Sub
