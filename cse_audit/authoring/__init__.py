"""Draft a mapping for a new layout of return, and check a mapping against a file.

`draft_mapping` reads one return and proposes a mapping in the project's YAML format: which sheet
holds cases, victims, offenders (or people, with a role column), where each header row is, which
column is which canonical field and through which code list. Every choice carries its evidence
and a confidence as a YAML comment; what the draft cannot decide is written as a `TODO:` key,
which the mapping loader rejects (unknown key, with file and line) until a person decides.

`check_mapping` applies a mapping to one file in memory and says, per field, how many values
mapped, how many became Unknown and which values were not recognised, storing nothing.

Neither ever puts a value of a personal field (names, initials, dates of birth) in its output
(unless `mapping check --show-values` asks for the names behind a name-order warning): the
evidence for those columns is counts and shares only.

Modules, in the order a draft is made:
  synonyms   the synonym table and `match_header` (what field a header names)
  profile    value evidence for one column (`profile_column`)
  header     finding the header row (`find_header_row`)
  model      `ColumnChoice` and `SheetDraft`
  columns    choosing each field's column and code list, with a confidence
  missing    the missing-from-home rules that span several fields
  yaml_out   writing the draft as commented YAML
  relations  relation columns, the title-row period, initials kept, derived `identified` (issue 18)
  draft      `draft_mapping`, the sheet drafter, `DraftResult`, `draft_command`
  layouts    a folder's returns grouped by layout, one draft per layout (`draft_folder`, `folder_command`)
  check      `check_mapping`, `check_command`, and `compare` (a draft against a hand-written mapping)
  namecheck  forename and surname columns the wrong way round, for `check` (counts from the name lists)
"""

from .check import VALUE_PROBLEMS, check_command, check_mapping, compare
from .columns import CODE_FIELDS_DEFAULT
from .draft import CASE_FIELDS, KIND_ORDER, SAMPLE_ROWS, DraftResult, draft_command, draft_mapping, slug
from .folder import FolderDraft, LayoutGroup, draft_folder, folder_command
from .header import find_header_row
from .model import MAX_LISTED, NO_ROLE_VALUES, ColumnChoice, SheetDraft
from .profile import Profile, profile_column
from .synonyms import STRENGTH, HeaderMatch, Synonyms, load_synonyms, match_header

__all__ = [
    "CASE_FIELDS",
    "CODE_FIELDS_DEFAULT",
    "KIND_ORDER",
    "MAX_LISTED",
    "NO_ROLE_VALUES",
    "SAMPLE_ROWS",
    "STRENGTH",
    "VALUE_PROBLEMS",
    "ColumnChoice",
    "DraftResult",
    "FolderDraft",
    "LayoutGroup",
    "HeaderMatch",
    "Profile",
    "SheetDraft",
    "Synonyms",
    "check_command",
    "check_mapping",
    "compare",
    "draft_command",
    "draft_folder",
    "draft_mapping",
    "folder_command",
    "find_header_row",
    "load_synonyms",
    "match_header",
    "profile_column",
    "slug",
]
