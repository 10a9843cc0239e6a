package status

// reasonTexts are the meanings of the ISO 20022 external status and return
// reason codes banks use most for credit transfers, for reports that give
// a code without text.
var reasonTexts = map[string]string{
	"AC01": "incorrect account number",
	"AC03": "invalid creditor account number",
	"AC04": "closed account number",
	"AC06": "blocked account",
	"AC13": "invalid debtor account type",
	"AG01": "transaction forbidden on this type of account",
	"AG02": "invalid bank operation code",
	"AM04": "insufficient funds",
	"AM05": "duplication",
	"BE01": "creditor name does not match the account holder",
	"BE04": "missing creditor address",
	"CURR": "incorrect currency",
	"CUST": "requested by customer",
	"DT01": "invalid date",
	"FF01": "invalid file format",
	"MD07": "end customer deceased",
	"MS02": "not specified reason customer generated",
	"MS03": "not specified reason agent generated",
	"NARR": "narrative",
	"RC01": "bank identifier incorrect",
	"RR01": "missing debtor account or identification",
	"RR02": "missing debtor name or address",
	"RR03": "missing creditor name or address",
	"RR04": "regulatory reason",
}

// ReasonText is the meaning of an ISO 20022 reason code, or "" when it is
// not one of the common ones.
func ReasonText(code string) string { return reasonTexts[code] }
