"""HEAR AS <type> validation and menu choices (basic/input_types.py)."""

from __future__ import annotations

from datetime import date

import pytest

from basic.input_types import KNOWN_KINDS, canonical_kind, menu_choice, validate_input

TODAY = date(2026, 11, 21)

ACCEPTED = [
    ("EMAIL", " Ana.Silva@Example.COM ", "ana.silva@example.com"),
    ("EMAIL", "a+tag@sub.example.com.br", "a+tag@sub.example.com.br"),
    ("DATE", "21/11/2026", "2026-11-21"),
    ("DATE", "2026-11-21", "2026-11-21"),
    ("DATE", "21-11-26", "2026-11-21"),
    ("DATE", "21.11.2026", "2026-11-21"),
    ("DATE", "12/31/2026", "2026-12-31"),
    ("DATE", "21 de novembro de 2026", "2026-11-21"),
    ("DATE", "21 de março de 2026", "2026-03-21"),
    ("DATE", "November 21, 2026", "2026-11-21"),
    ("DATE", "21 Nov 2026", "2026-11-21"),
    ("DATE", "today", "2026-11-21"),
    ("DATE", "Amanhã", "2026-11-22"),
    ("DATE", "ontem", "2026-11-20"),
    ("NAME", "  maria   da  Silva ", "maria da Silva"),
    ("NAME", "Jean-Luc O'Neil", "Jean-Luc O'Neil"),
    ("NAME", "José", "José"),
    ("INTEGER", "42", 42),
    ("INTEGER", " -7 ", -7),
    ("INTEGER", "1.000", 1000),
    ("INTEGER", "1,000,000", 1000000),
    ("INTEGER", "5.0", 5),
    ("INT", "3", 3),
    ("NUMBER", "10", 10),
    ("FLOAT", "3.5", 3.5),
    ("FLOAT", "3,5", 3.5),
    ("FLOAT", "1.234,56", 1234.56),
    ("FLOAT", "1,234.56", 1234.56),
    ("FLOAT", "7", 7.0),
    ("DECIMAL", "-0,25", -0.25),
    ("DOUBLE", "2", 2.0),
    ("BOOLEAN", "yes", True),
    ("BOOLEAN", "Sim", True),
    ("BOOLEAN", "TRUE", True),
    ("BOOLEAN", "1", True),
    ("BOOLEAN", "não", False),
    ("BOOLEAN", "nao", False),
    ("BOOLEAN", "No.", False),
    ("BOOL", "0", False),
    ("HOUR", "14:30", "14:30"),
    ("HOUR", "9:05", "09:05"),
    ("HOUR", "14h30", "14:30"),
    ("HOUR", "14h", "14:00"),
    ("HOUR", "2pm", "14:00"),
    ("HOUR", "2:30 PM", "14:30"),
    ("HOUR", "12am", "00:00"),
    ("TIME", "08:15:59", "08:15"),
    ("MONEY", "R$ 1.250,00", 1250.0),
    ("MONEY", "$1,250.50", 1250.5),
    ("MONEY", "19,999", 20.0),
    ("CURRENCY", "€ 3,5", 3.5),
    ("AMOUNT", "100 reais", 100.0),
    ("MOBILE", "+55 (21) 99999-9999", "+5521999999999"),
    ("PHONE", "21 3333-4444", "2133334444"),
    ("TELEPHONE", "555.123.4567", "5551234567"),
    ("ZIPCODE", "12345-678", "12345-678"),
    ("ZIPCODE", "90210", "90210"),
    ("ZIP", "sw1a 1aa", "SW1A 1AA"),
    ("POSTALCODE", "K1A 0B1", "K1A 0B1"),
    ("CEP", "12345678", "12345-678"),
    ("CEP", "12.345-678", "12345-678"),
    ("LANGUAGE", "Português", "pt"),
    ("LANGUAGE", "english", "en"),
    ("LANGUAGE", "pt-br", "pt-BR"),
    ("LANG", "ES", "es"),
    ("LANG", "Deutsch", "de"),
    ("CPF", "529.982.247-25", "52998224725"),
    ("CPF", "52998224725", "52998224725"),
    ("CNPJ", "11.222.333/0001-81", "11222333000181"),
    ("QRCODE", "PIX:abc123", "PIX:abc123"),
    ("QR", " x ", "x"),
    ("LOGIN", "ana.silva", "ana.silva"),
    ("AUTH", "ana@example.com", "ana@example.com"),
    ("FILE", "https://cdn.example.com/u/123", "https://cdn.example.com/u/123"),
    ("FILE", "report.xyz", "report.xyz"),
    ("IMAGE", "photo.JPG", "photo.JPG"),
    ("PHOTO", "https://example.com/a", "https://example.com/a"),
    ("PICTURE", "data:image/png;base64,iVBORw0KGgo=", "data:image/png;base64,iVBORw0KGgo="),
    ("AUDIO", "voice.ogg", "voice.ogg"),
    ("VOICE", "note.opus", "note.opus"),
    ("SOUND", "a.mp3", "a.mp3"),
    ("VIDEO", "clip.mp4", "clip.mp4"),
    ("DOCUMENT", "contract.docx", "contract.docx"),
    ("DOC", "sheet.xlsx", "sheet.xlsx"),
    ("PDF", "invoice.pdf", "invoice.pdf"),
    ("URL", "https://example.com/page?a=1", "https://example.com/page?a=1"),
    ("URL", "example.com", "https://example.com"),
    ("LINK", "www.pragmatismo.com.br/x", "https://www.pragmatismo.com.br/x"),
    ("URL", "http://localhost:8000/", "http://localhost:8000/"),
    ("UUID", "123E4567-E89B-12D3-A456-426614174000", "123e4567-e89b-12d3-a456-426614174000"),
    ("GUID", "{123e4567e89b12d3a456426614174000}", "123e4567-e89b-12d3-a456-426614174000"),
    ("COLOR", "blue", "#0000ff"),
    ("COLOR", "Azul", "#0000ff"),
    ("COLOR", "#ABC", "#aabbcc"),
    ("COLOR", "1e90ff", "#1e90ff"),
    ("COLOUR", "rgb(255, 0, 128)", "#ff0080"),
    ("CREDITCARD", "4111 1111 1111 1111", "4111111111111111"),
    ("CARD", "5500-0000-0000-0004", "5500000000000004"),
    ("PASSWORD", "s3cret-pass", "s3cret-pass"),
    ("PASS", "12345678", "12345678"),
    ("SECRET", "correct horse", "correct horse"),
]


@pytest.mark.parametrize(("kind", "text", "expected"), ACCEPTED)
def test_accepted(kind, text, expected):
    ok, value, hint = validate_input(kind, text, today=TODAY)
    assert ok is True and hint == ""
    assert value == expected and type(value) is type(expected)


REJECTED = [
    ("EMAIL", "not-an-email", "e-mail address"),
    ("EMAIL", "a@b", "e-mail address"),
    ("EMAIL", "a..b@example.com", "e-mail address"),
    ("DATE", "31/02/2026", "valid date"),
    ("DATE", "someday", "valid date"),
    ("DATE", "", "valid date"),
    ("NAME", "R2D2", "name"),
    ("NAME", "a", "name"),
    ("INTEGER", "abc", "whole number"),
    ("INTEGER", "3.5", "whole number"),
    ("INTEGER", "", "whole number"),
    ("FLOAT", "3.5.1,2", "number"),
    ("FLOAT", "abc", "number"),
    ("BOOLEAN", "maybe", "yes or no"),
    ("HOUR", "25:00", "time"),
    ("HOUR", "14", "time"),
    ("HOUR", "13pm", "time"),
    ("HOUR", "10:75", "time"),
    ("MONEY", "lots", "amount"),
    ("MOBILE", "12345", "phone number"),
    ("MOBILE", "call me", "phone number"),
    ("ZIPCODE", "!!", "postal code"),
    ("CEP", "1234-567", "CEP"),
    ("LANGUAGE", "klingon", "language"),
    ("CPF", "529.982.247-24", "CPF"),
    ("CPF", "111.111.111-11", "CPF"),
    ("CPF", "123", "CPF"),
    ("CNPJ", "11.222.333/0001-80", "CNPJ"),
    ("CNPJ", "00000000000000", "CNPJ"),
    ("QRCODE", "   ", "QR code"),
    ("LOGIN", "a b", "user name"),
    ("IMAGE", "notes.txt", "image"),
    ("IMAGE", "data:audio/ogg;base64,AAAA", "image"),
    ("AUDIO", "photo.png", "audio"),
    ("VIDEO", "hello", "video"),
    ("DOCUMENT", "song.mp3", "document"),
    ("FILE", "no extension", "file"),
    ("URL", "not a url", "web address"),
    ("URL", "ftp://x", "web address"),
    ("UUID", "123", "UUID"),
    ("COLOR", "sparkly", "colour"),
    ("COLOR", "rgb(300, 0, 0)", "colour"),
    ("CREDITCARD", "4111 1111 1111 1112", "card number"),
    ("CARD", "1234", "card number"),
    ("PASSWORD", "short", "8 characters"),
]


@pytest.mark.parametrize(("kind", "text", "word"), REJECTED)
def test_rejected_with_a_polite_hint(kind, text, word):
    ok, value, hint = validate_input(kind, text, today=TODAY)
    assert ok is False and value is None
    assert hint.startswith("Please ") and hint.endswith(".")
    assert word in hint


@pytest.mark.parametrize("kind", ["TEXT", "STRING", "text", "anything"])
def test_other_words_are_free_text(kind):
    assert validate_input(kind, "  whatever you say ") == (True, "  whatever you say ", "")
    assert validate_input(kind, "") == (True, "", "")


def test_kinds_are_case_insensitive():
    assert validate_input("email", "a@b.co")[0] is True
    assert validate_input("Integer", "4") == (True, 4, "")


def test_every_dialect_kind_is_known():
    kinds = """EMAIL DATE NAME INTEGER INT NUMBER FLOAT DECIMAL DOUBLE BOOLEAN BOOL HOUR TIME MONEY CURRENCY
    AMOUNT MOBILE PHONE TELEPHONE ZIPCODE ZIP CEP POSTALCODE LANGUAGE LANG CPF CNPJ QRCODE QR LOGIN AUTH
    FILE IMAGE PHOTO PICTURE AUDIO VOICE SOUND VIDEO DOCUMENT DOC PDF URL LINK UUID GUID COLOR COLOUR
    CREDITCARD CARD PASSWORD PASS SECRET""".split()
    assert set(kinds) <= KNOWN_KINDS
    assert all(canonical_kind(k) is not None for k in kinds)
    assert canonical_kind("TEXT") is None


def test_relative_dates_use_the_given_today():
    assert validate_input("DATE", "tomorrow", today=date(2026, 12, 31)) == (True, "2027-01-01", "")


def test_menu_choice_by_text_and_number():
    options = ["Sim", "Não", "Talvez depois"]
    assert menu_choice(options, "sim") == (True, "Sim", "")
    assert menu_choice(options, "  NAO ") == (True, "Não", "")
    assert menu_choice(options, "talvez   depois") == (True, "Talvez depois", "")
    assert menu_choice(options, "2") == (True, "Não", "")
    assert menu_choice(options, "3.") == (True, "Talvez depois", "")


def test_menu_choice_prefers_exact_text_over_position():
    assert menu_choice(["2", "1"], "1") == (True, "1", "")
    assert menu_choice([10, 20], "20") == (True, 20, "")


def test_menu_choice_rejects_with_the_options():
    ok, value, hint = menu_choice(["Red", "Blue"], "green")
    assert ok is False and value is None
    assert hint == "Please choose one of the options: 1. Red, 2. Blue."
    assert menu_choice(["Red"], "0")[0] is False
    assert menu_choice(["Red"], "2")[0] is False
