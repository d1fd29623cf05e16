#include "plugins/finance/records/journal_rules.h"

namespace ledgerflow::records {

Result<JournalEntry> repost(const JournalPosting& p, const JournalEntry& posted,
                            const std::string& posted_key) {
  if (posted_key == p.idempotency_key) {
    JournalEntry again = posted;
    again.already_posted = true;
    return again;
  }
  return Error{ErrorCode::conflict,
               p.document_type + " " + p.document_id + " is already posted (journal entry " +
                   std::to_string(posted.entry_id) + " by instance " + posted.instance_id + ")"};
}

}  // namespace ledgerflow::records
