"""What a bot name may be: it appears in URLs, channel group names and folder names."""

from django.core.validators import RegexValidator

BOT_NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,79}$"
bot_name_validator = RegexValidator(
    BOT_NAME_PATTERN,
    "A bot name starts with a letter or digit and holds only letters, digits, '-', '_' and '.' "
    "(at most 80 characters).",
)
