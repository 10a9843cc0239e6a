package reconcile

import "fmt"

// InvalidPayoutAccount is a payable balance whose payout account or bank
// cannot be written into a bank file as it is; like a missing account, it
// blocks the payout and the balance is carried forward.
const InvalidPayoutAccount = "INVALID_PAYOUT_ACCOUNT"

// ValidatePayoutAccount checks an account the provider files can carry
// unchanged: 1 to 34 characters (the ISO 20022 account id limit) of
// letters, digits, "-", "." and "/", starting with a letter or digit. An
// account is never shortened or rewritten: a changed account pays someone
// else.
func ValidatePayoutAccount(s string) error {
	return validateBankText("payout_account", s, 34)
}

// ValidatePayoutBank checks a bank code (empty is allowed): at most 35
// characters, same alphabet as an account.
func ValidatePayoutBank(s string) error {
	if s == "" {
		return nil
	}
	return validateBankText("payout_bank", s, 35)
}

func validateBankText(field, s string, max int) error {
	if s == "" || len(s) > max {
		return fmt.Errorf("%s %s must have 1 to %d characters", field, Quote(s), max)
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		alnum := c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9'
		if i == 0 && !alnum {
			return fmt.Errorf("%s %s must start with a letter or digit", field, Quote(s))
		}
		if !alnum && c != '-' && c != '.' && c != '/' {
			ch, _ := charAt(s, i)
			return fmt.Errorf("%s %s has %s; only letters, digits, -, . and / are accepted", field, Quote(s), ch)
		}
	}
	return nil
}

// SettlePayee is Settle for a participant with the given payout details:
// a payable balance whose account is missing is MISSING_PAYOUT_ACCOUNT,
// one whose account or bank code a bank file cannot carry is
// INVALID_PAYOUT_ACCOUNT; both carry the balance forward.
func SettlePayee(b Balance, minPayout int64, account, bank string) (Balance, *Finding) {
	if account == "" {
		return Settle(b, minPayout, false)
	}
	problem := ValidatePayoutAccount(account)
	if problem == nil {
		problem = ValidatePayoutBank(bank)
	}
	if problem == nil {
		return Settle(b, minPayout, true)
	}
	settled, f := Settle(b, minPayout, false)
	if f != nil {
		f.Kind = InvalidPayoutAccount
		f.Detail = fmt.Sprintf("participant %s has %s %s to be paid but %v; carried forward",
			b.ParticipantID, FormatAmount(b.Closing(), b.Currency), b.Currency.Code, problem)
	}
	return settled, f
}
