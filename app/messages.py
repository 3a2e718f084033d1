"""Messages produced by libraries (marshmallow) and services as fixed strings.

Listed with N_() only so that `pybabel extract` puts them in the catalogue; pages translate
them through the `tr` filter. Nothing imports this module at run time.
"""
def N_(s):
    return s

MESSAGES = [
    N_('Missing data for required field.'),
    N_('Field may not be null.'),
    N_('Not a valid string.'),
    N_('Not a valid integer.'),
    N_('Not a valid date.'),
    N_('Not a valid boolean.'),
    N_('Not a valid delimited list.'),
    N_('Number too large.'),
    N_('Invalid value.'),
    N_('Unknown field.'),
    N_('String does not match expected pattern.'),
    N_('Use lower-case letters, digits and _.'),
    N_('Must be greater than or equal to 1.'),
    N_('Must be greater than or equal to 1 and less than or equal to 200.'),
    N_('Length must be between 1 and 12.'),
    N_('Length must be between 1 and 40.'),
    N_('Length must be between 1 and 64.'),
    N_('Length must be between 1 and 100.'),
    N_('Length must be between 1 and 200.'),
    N_('Length must be between 1 and 10000.'),
    N_('Length must be between 2 and 64.'),
    N_('Length must be between 8 and 200.'),
    N_('Longer than maximum length 20.'),
    N_('Longer than maximum length 64.'),
    N_('Longer than maximum length 100.'),
    N_('Longer than maximum length 200.'),
    N_('Longer than maximum length 2000.'),
    N_('Longer than maximum length 20000.'),
    N_('A password needs at least 8 characters.'),
    N_('This code is taken.'),
    N_('A region needs a parent region.'),
    N_('This username is taken.'),
    N_('User not found.'),
    N_('You cannot remove your own administrator rights or deactivate yourself.'),
    N_('Invalid or revoked token.'),
    N_('Token not found.'),
    N_('Requirement not found.'),
    N_('A comment cannot be empty.'),
    N_('The file is empty.'),
    N_('Attachment not found.'),
    N_("The original requirement's code is required."),
    N_('A requirement cannot duplicate itself.'),
]
