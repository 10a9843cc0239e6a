package seed

import (
	"fmt"
	"strings"
)

// Brazilian-ish names, with the accents real data has: outputs must carry
// UTF-8 through every file format untouched.
var (
	firstNames = []string{
		"João", "Maria", "José", "Ana", "Antônio", "Francisca", "Lúcia", "Inês",
		"Conceição", "Sebastião", "Thaís", "Luíza", "Márcia", "Cláudio", "Fábio",
		"Débora", "Mônica", "Vinícius", "Letícia", "Caio", "Bruna", "Otávio",
		"Estêvão", "Cecília", "Rafael", "Gabriela", "Lucas", "Juliana", "Pedro",
		"Beatriz", "André", "Patrícia", "Rogério", "Simone", "Júlio", "Helena",
		"Nathália", "Tânia", "Ícaro", "Érica",
	}
	lastNames = []string{
		"Ávila", "Conceição", "Gonçalves", "Magalhães", "Simões", "Araújo",
		"Brandão", "Falcão", "Guimarães", "Lima", "Souza", "Melo", "Dias",
		"Nogueira", "Peçanha", "Assunção", "Damião", "Silva", "Santos",
		"Oliveira", "Pereira", "Rodrigues", "Almeida", "Nascimento", "Carvalho",
		"Ribeiro", "Gomes", "Martins", "Rocha", "Barbosa", "Mendonça", "Sá",
		"Leão", "Prado", "Cunha", "Romão", "Teixeira", "Antunes", "Bragança",
		"Vieira",
	}
	companyForms = []string{
		"%s Cursos Ltda", "Editora %s", "%s Educação ME", "Instituto %s",
		"%s & Cia. Treinamentos", "Escola Digital %s",
	}

	// hostileNames start with a character a spreadsheet reads as a formula
	// (= + - @, tab) or carry commas and quotes: outputs must neutralize and
	// quote them (SPEC section 7).
	hostileNames = []string{
		`=HYPERLINK("http://example.com/x","Clique aqui")`,
		`+55 (11) 99999-0000`,
		`@SUM(1+1)*cmd|' /C calc'!A0`,
		`-2+3 Consultoria`,
		`Souza, Ana "Aninha"`,
		`"Zé" Carioca, Produções`,
		"\t=1+1 Tabulação",
		`O'Neil; Márcia`,
	}

	productForms = []string{
		"Curso de %s", "Ebook de %s", "Mentoria em %s", "Masterclass de %s",
		"Planilhas de %s", "Assinatura %s Premium", "Workshop de %s", "Guia Prático de %s",
		"Comunidade %s", "Formação em %s",
	}
	productTopics = []string{
		"Fotografia", "Confeitaria", "Finanças Pessoais", "Inglês para Viagem",
		"Marketing Digital", "Violão", "Yoga", "Programação em Go", "Crochê",
		"Investimentos", "Maquiagem", "Oratória", "Jardinagem", "Café Especial",
		"Nutrição Esportiva", "Edição de Vídeo", "Excel Avançado", "Libras",
		"Ilustração", "Marcenaria", "Astrologia", "Pão de Fermentação Natural",
		"Concursos Públicos", "Redação para o ENEM",
	}
	hostileProductNames = []string{
		`=Curso "Premium", Turma 1`,
		`@Mentoria VIP`,
		`+Ebook Receitas, Vol. 2`,
	}

	emailDomains = []string{"example.com", "example.org", "example.net"}
)

func personName(r rng) string {
	name := pickOne(r, firstNames) + " " + pickOne(r, lastNames)
	if r.chance(3000) {
		name += " " + pickOne(r, lastNames)
	}
	return name
}

func companyName(r rng) string {
	return fmt.Sprintf(pickOne(r, companyForms), pickOne(r, lastNames))
}

func productName(r rng) string {
	name := fmt.Sprintf(pickOne(r, productForms), pickOne(r, productTopics))
	if r.chance(1500) {
		name += pickOne(r, []string{" 2.0", " Avançado", " do Zero", " Turma 3"})
	}
	return name
}

// asciiFold maps the accented letters of the name lists to plain ASCII for
// e-mail addresses.
var asciiFold = strings.NewReplacer(
	"á", "a", "à", "a", "â", "a", "ã", "a", "é", "e", "ê", "e", "í", "i",
	"ó", "o", "ô", "o", "õ", "o", "ú", "u", "ü", "u", "ç", "c",
	"Á", "a", "Â", "a", "É", "e", "Í", "i", "Ó", "o", "Ú", "u", "Ç", "c",
)

// emailFor derives a plausible address from a name: "joao.avila42@example.com".
func emailFor(r rng, name string, n int) string {
	local := strings.Builder{}
	for _, f := range strings.Fields(asciiFold.Replace(strings.ToLower(name))) {
		clean := strings.Map(func(c rune) rune {
			if c >= 'a' && c <= 'z' {
				return c
			}
			return -1
		}, f)
		if clean == "" {
			continue
		}
		if local.Len() > 0 {
			local.WriteByte('.')
		}
		local.WriteString(clean)
		if local.Len() > 24 {
			break
		}
	}
	if local.Len() == 0 {
		local.WriteString("contato")
	}
	return fmt.Sprintf("%s%d@%s", local.String(), n, pickOne(r, emailDomains))
}
