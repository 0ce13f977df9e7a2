/* templates_i18n.c: the wording of every email and SMS latchkey sends, one
 * table per locale (our own text, see templates_int.h for the fields).
 * Placeholders: {{user}}, {{project}}, {{team}}, {{owner}}, {{otp}},
 * {{redirect}}, {{agentClient}}, {{agentDevice}}, {{agentOs}}, {{phrase}},
 * {{device}}, {{ipAddress}}, {{country}}, {{date}}, {{time}}, and {{secret}}
 * in SMS. {{b}}...{{/b}} marks bold text. Lifetimes quoted in the text
 * follow spec/CONTRACT.md 6.1: links one hour, email OTP 15 minutes, MFA
 * codes one hour. To add a language, add a table and a row in tm_locales. */
#include <stddef.h>

#include "templates_int.h"

/* English: the reference and the fallback for any missing string. */
const struct tm_locale tm_locale_en = {
	.code = "en",
	.dir = "ltr",
	.hello = "Hello {{user}},",
	.hello_anon = "Hello,",
	.link_help = "If the button does not work, copy this address into your browser:",
	.client_info = "Requested from {{agentClient}} on {{agentDevice}} ({{agentOs}}).",
	.phrase = "Security phrase: {{b}}{{phrase}}{{/b}}. Continue only if it matches the phrase shown where you signed in.",
	.thanks = "Thanks,",
	.signature = "The {{project}} team",
	.mail = {
		[TM_VERIFICATION] = {
			.subject = "Account Verification",
			.body = "Please confirm the email address of your {{project}} account by opening the link below. The link works for one hour.",
			.button = "Verify email address",
			.footer = "If you did not create an account or ask for this email, you can safely ignore it.",
		},
		[TM_RECOVERY] = {
			.subject = "Password Reset",
			.body = "Someone asked to reset the password of your {{project}} account. To choose a new password, open the link below. The link works for one hour.",
			.button = "Reset password",
			.footer = "If you did not ask for a password reset, ignore this email; your password stays the same.",
		},
		[TM_MAGIC_SESSION] = {
			.subject = "{{project}} Login",
			.body = "Use the button below to sign in to {{project}}. The link works for one hour and only once.",
			.button = "Sign in to {{project}}",
			.footer = "If you did not try to sign in, ignore this email; nobody can sign in without this link.",
		},
		[TM_OTP_SESSION] = {
			.subject = "OTP for {{project}} Login",
			.body = "Enter this code to sign in to {{project}}. It is valid for 15 minutes.",
			.footer = "If you did not try to sign in, ignore this email and do not share the code with anyone.",
		},
		[TM_MFA_CHALLENGE] = {
			.subject = "Verification Code for {{project}}",
			.body = "Enter this code to finish signing in to {{project}}. It is valid for one hour.",
			.footer = "If this was not you, change your password right away: someone may know it.",
		},
		[TM_SESSION_ALERT] = {
			.subject = "Security alert: new session on your {{project}} account",
			.body = "A new session was opened on your {{project}} account on {{date}} at {{time}} UTC.",
			.items = "Device: {{device}}\nIP address: {{ipAddress}}\nCountry: {{country}}",
			.footer = "If this was you, there is nothing to do. If not, end that session and change your password.",
		},
		[TM_INVITATION] = {
			.subject = "Invitation to {{team}} Team at {{project}}",
			.body = "{{owner}} invited you to join the {{team}} team at {{project}}.",
			.button = "Accept invitation",
			.footer = "If you were not expecting this invitation, you can ignore this email.",
		},
	},
	.sms = {
		[SMS_TM_LOGIN] = "{{secret}} is your {{project}} sign-in code.",
		[SMS_TM_VERIFICATION] = "{{secret}} is your {{project}} verification code.",
		[SMS_TM_MFA] = "{{secret}} is your {{project}} security code.",
	},
};

/* German, formal address. */
static const struct tm_locale tm_locale_de = {
	.code = "de",
	.dir = "ltr",
	.hello = "Hallo {{user}},",
	.hello_anon = "Hallo,",
	.link_help = "Falls die Schaltfläche nicht funktioniert, kopieren Sie diese Adresse in Ihren Browser:",
	.client_info = "Angefordert von {{agentClient}} auf {{agentDevice}} ({{agentOs}}).",
	.phrase = "Sicherheitsphrase: {{b}}{{phrase}}{{/b}}. Fahren Sie nur fort, wenn sie mit der Phrase übereinstimmt, die bei der Anmeldung angezeigt wurde.",
	.thanks = "Vielen Dank,",
	.signature = "Ihr {{project}}-Team",
	.mail = {
		[TM_VERIFICATION] = {
			.subject = "Kontobestätigung",
			.body = "Bitte bestätigen Sie die E-Mail-Adresse Ihres {{project}}-Kontos über den folgenden Link. Der Link ist eine Stunde lang gültig.",
			.button = "E-Mail-Adresse bestätigen",
			.footer = "Wenn Sie kein Konto erstellt und diese E-Mail nicht angefordert haben, können Sie sie ignorieren.",
		},
		[TM_RECOVERY] = {
			.subject = "Passwort zurücksetzen",
			.body = "Jemand möchte das Passwort Ihres {{project}}-Kontos zurücksetzen. Über den folgenden Link wählen Sie ein neues Passwort. Der Link ist eine Stunde lang gültig.",
			.button = "Passwort zurücksetzen",
			.footer = "Wenn Sie das nicht angefordert haben, ignorieren Sie diese E-Mail; Ihr Passwort bleibt unverändert.",
		},
		[TM_MAGIC_SESSION] = {
			.subject = "Anmeldung bei {{project}}",
			.body = "Mit der Schaltfläche unten melden Sie sich bei {{project}} an. Der Link ist eine Stunde lang gültig und funktioniert nur einmal.",
			.button = "Bei {{project}} anmelden",
			.footer = "Wenn Sie sich nicht anmelden wollten, ignorieren Sie diese E-Mail; ohne diesen Link kann sich niemand anmelden.",
		},
		[TM_OTP_SESSION] = {
			.subject = "Einmalcode für die Anmeldung bei {{project}}",
			.body = "Geben Sie diesen Code ein, um sich bei {{project}} anzumelden. Er ist 15 Minuten lang gültig.",
			.footer = "Wenn Sie sich nicht anmelden wollten, ignorieren Sie diese E-Mail und geben Sie den Code an niemanden weiter.",
		},
		[TM_MFA_CHALLENGE] = {
			.subject = "Bestätigungscode für {{project}}",
			.body = "Geben Sie diesen Code ein, um die Anmeldung bei {{project}} abzuschließen. Er ist eine Stunde lang gültig.",
			.footer = "Wenn Sie das nicht waren, ändern Sie sofort Ihr Passwort: Möglicherweise kennt es jemand.",
		},
		[TM_SESSION_ALERT] = {
			.subject = "Sicherheitshinweis: neue Sitzung in Ihrem {{project}}-Konto",
			.body = "In Ihrem {{project}}-Konto wurde am {{date}} um {{time}} UTC eine neue Sitzung geöffnet.",
			.items = "Gerät: {{device}}\nIP-Adresse: {{ipAddress}}\nLand: {{country}}",
			.footer = "Wenn Sie das waren, ist nichts zu tun. Andernfalls beenden Sie diese Sitzung und ändern Sie Ihr Passwort.",
		},
		[TM_INVITATION] = {
			.subject = "Einladung in das Team {{team}} bei {{project}}",
			.body = "{{owner}} hat Sie eingeladen, dem Team {{team}} bei {{project}} beizutreten.",
			.button = "Einladung annehmen",
			.footer = "Wenn Sie diese Einladung nicht erwartet haben, können Sie diese E-Mail ignorieren.",
		},
	},
	.sms = {
		[SMS_TM_LOGIN] = "{{secret}} ist Ihr Anmeldecode für {{project}}.",
		[SMS_TM_VERIFICATION] = "{{secret}} ist Ihr Bestätigungscode für {{project}}.",
		[SMS_TM_MFA] = "{{secret}} ist Ihr Sicherheitscode für {{project}}.",
	},
};

/* French, formal address. */
static const struct tm_locale tm_locale_fr = {
	.code = "fr",
	.dir = "ltr",
	.hello = "Bonjour {{user}},",
	.hello_anon = "Bonjour,",
	.link_help = "Si le bouton ne fonctionne pas, copiez cette adresse dans votre navigateur :",
	.client_info = "Demande envoyée depuis {{agentClient}} sur {{agentDevice}} ({{agentOs}}).",
	.phrase = "Phrase de sécurité : {{b}}{{phrase}}{{/b}}. Ne continuez que si elle correspond à la phrase affichée lors de la connexion.",
	.thanks = "Merci,",
	.signature = "L'équipe {{project}}",
	.mail = {
		[TM_VERIFICATION] = {
			.subject = "Vérification du compte",
			.body = "Veuillez confirmer l'adresse e-mail de votre compte {{project}} en ouvrant le lien ci-dessous. Le lien est valable une heure.",
			.button = "Vérifier l'adresse e-mail",
			.footer = "Si vous n'avez pas créé de compte ni demandé cet e-mail, vous pouvez l'ignorer.",
		},
		[TM_RECOVERY] = {
			.subject = "Réinitialisation du mot de passe",
			.body = "Une réinitialisation du mot de passe de votre compte {{project}} a été demandée. Pour choisir un nouveau mot de passe, ouvrez le lien ci-dessous. Le lien est valable une heure.",
			.button = "Réinitialiser le mot de passe",
			.footer = "Si vous n'êtes pas à l'origine de cette demande, ignorez cet e-mail ; votre mot de passe reste inchangé.",
		},
		[TM_MAGIC_SESSION] = {
			.subject = "Connexion à {{project}}",
			.body = "Utilisez le bouton ci-dessous pour vous connecter à {{project}}. Le lien est valable une heure et ne sert qu'une fois.",
			.button = "Se connecter à {{project}}",
			.footer = "Si vous n'avez pas essayé de vous connecter, ignorez cet e-mail ; personne ne peut se connecter sans ce lien.",
		},
		[TM_OTP_SESSION] = {
			.subject = "Code à usage unique pour la connexion à {{project}}",
			.body = "Saisissez ce code pour vous connecter à {{project}}. Il est valable 15 minutes.",
			.footer = "Si vous n'avez pas essayé de vous connecter, ignorez cet e-mail et ne communiquez ce code à personne.",
		},
		[TM_MFA_CHALLENGE] = {
			.subject = "Code de vérification pour {{project}}",
			.body = "Saisissez ce code pour terminer votre connexion à {{project}}. Il est valable une heure.",
			.footer = "Si ce n'était pas vous, changez immédiatement votre mot de passe : quelqu'un le connaît peut-être.",
		},
		[TM_SESSION_ALERT] = {
			.subject = "Alerte de sécurité : nouvelle session sur votre compte {{project}}",
			.body = "Une nouvelle session a été ouverte sur votre compte {{project}} le {{date}} à {{time}} UTC.",
			.items = "Appareil : {{device}}\nAdresse IP : {{ipAddress}}\nPays : {{country}}",
			.footer = "Si c'était vous, vous n'avez rien à faire. Sinon, fermez cette session et changez votre mot de passe.",
		},
		[TM_INVITATION] = {
			.subject = "Invitation à rejoindre l'équipe {{team}} sur {{project}}",
			.body = "{{owner}} vous invite à rejoindre l'équipe {{team}} sur {{project}}.",
			.button = "Accepter l'invitation",
			.footer = "Si vous n'attendiez pas cette invitation, vous pouvez ignorer cet e-mail.",
		},
	},
	.sms = {
		[SMS_TM_LOGIN] = "{{secret}} est votre code de connexion {{project}}.",
		[SMS_TM_VERIFICATION] = "{{secret}} est votre code de vérification {{project}}.",
		[SMS_TM_MFA] = "{{secret}} est votre code de sécurité {{project}}.",
	},
};

/* Spanish, informal address as usual in apps. */
static const struct tm_locale tm_locale_es = {
	.code = "es",
	.dir = "ltr",
	.hello = "Hola, {{user}}:",
	.hello_anon = "Hola:",
	.link_help = "Si el botón no funciona, copia esta dirección en tu navegador:",
	.client_info = "Solicitado desde {{agentClient}} en {{agentDevice}} ({{agentOs}}).",
	.phrase = "Frase de seguridad: {{b}}{{phrase}}{{/b}}. Continúa solo si coincide con la frase que se mostró al iniciar sesión.",
	.thanks = "Gracias,",
	.signature = "El equipo de {{project}}",
	.mail = {
		[TM_VERIFICATION] = {
			.subject = "Verificación de la cuenta",
			.body = "Confirma la dirección de correo de tu cuenta de {{project}} abriendo el enlace de abajo. El enlace es válido durante una hora.",
			.button = "Verificar correo electrónico",
			.footer = "Si no creaste una cuenta ni pediste este correo, puedes ignorarlo.",
		},
		[TM_RECOVERY] = {
			.subject = "Restablecimiento de contraseña",
			.body = "Alguien pidió restablecer la contraseña de tu cuenta de {{project}}. Para elegir una contraseña nueva, abre el enlace de abajo. El enlace es válido durante una hora.",
			.button = "Restablecer contraseña",
			.footer = "Si no lo pediste, ignora este correo; tu contraseña no cambiará.",
		},
		[TM_MAGIC_SESSION] = {
			.subject = "Inicio de sesión en {{project}}",
			.body = "Usa el botón de abajo para iniciar sesión en {{project}}. El enlace es válido durante una hora y solo sirve una vez.",
			.button = "Iniciar sesión en {{project}}",
			.footer = "Si no intentaste iniciar sesión, ignora este correo; nadie puede entrar sin este enlace.",
		},
		[TM_OTP_SESSION] = {
			.subject = "Código de un solo uso para iniciar sesión en {{project}}",
			.body = "Introduce este código para iniciar sesión en {{project}}. Es válido durante 15 minutos.",
			.footer = "Si no intentaste iniciar sesión, ignora este correo y no compartas el código con nadie.",
		},
		[TM_MFA_CHALLENGE] = {
			.subject = "Código de verificación para {{project}}",
			.body = "Introduce este código para terminar de iniciar sesión en {{project}}. Es válido durante una hora.",
			.footer = "Si no fuiste tú, cambia tu contraseña de inmediato: alguien podría conocerla.",
		},
		[TM_SESSION_ALERT] = {
			.subject = "Alerta de seguridad: nueva sesión en tu cuenta de {{project}}",
			.body = "Se abrió una nueva sesión en tu cuenta de {{project}} el {{date}} a las {{time}} UTC.",
			.items = "Dispositivo: {{device}}\nDirección IP: {{ipAddress}}\nPaís: {{country}}",
			.footer = "Si fuiste tú, no tienes que hacer nada. Si no, cierra esa sesión y cambia tu contraseña.",
		},
		[TM_INVITATION] = {
			.subject = "Invitación al equipo {{team}} en {{project}}",
			.body = "{{owner}} te invitó a unirte al equipo {{team}} en {{project}}.",
			.button = "Aceptar la invitación",
			.footer = "Si no esperabas esta invitación, puedes ignorar este correo.",
		},
	},
	.sms = {
		[SMS_TM_LOGIN] = "{{secret}} es tu código de inicio de sesión de {{project}}.",
		[SMS_TM_VERIFICATION] = "{{secret}} es tu código de verificación de {{project}}.",
		[SMS_TM_MFA] = "{{secret}} es tu código de seguridad de {{project}}.",
	},
};

/* Brazilian Portuguese; also answers to "pt". */
static const struct tm_locale tm_locale_pt_br = {
	.code = "pt-br",
	.dir = "ltr",
	.hello = "Olá, {{user}},",
	.hello_anon = "Olá,",
	.link_help = "Se o botão não funcionar, copie este endereço no seu navegador:",
	.client_info = "Solicitado a partir de {{agentClient}} em {{agentDevice}} ({{agentOs}}).",
	.phrase = "Frase de segurança: {{b}}{{phrase}}{{/b}}. Continue somente se ela corresponder à frase exibida quando você entrou.",
	.thanks = "Obrigado,",
	.signature = "Equipe {{project}}",
	.mail = {
		[TM_VERIFICATION] = {
			.subject = "Verificação da conta",
			.body = "Confirme o endereço de e-mail da sua conta no {{project}} abrindo o link abaixo. O link é válido por uma hora.",
			.button = "Verificar e-mail",
			.footer = "Se você não criou uma conta nem pediu este e-mail, pode ignorá-lo.",
		},
		[TM_RECOVERY] = {
			.subject = "Redefinição de senha",
			.body = "Alguém pediu para redefinir a senha da sua conta no {{project}}. Para escolher uma nova senha, abra o link abaixo. O link é válido por uma hora.",
			.button = "Redefinir senha",
			.footer = "Se você não fez esse pedido, ignore este e-mail; sua senha continua a mesma.",
		},
		[TM_MAGIC_SESSION] = {
			.subject = "Login no {{project}}",
			.body = "Use o botão abaixo para entrar no {{project}}. O link é válido por uma hora e só funciona uma vez.",
			.button = "Entrar no {{project}}",
			.footer = "Se você não tentou entrar, ignore este e-mail; ninguém consegue entrar sem este link.",
		},
		[TM_OTP_SESSION] = {
			.subject = "Código de uso único para login no {{project}}",
			.body = "Digite este código para entrar no {{project}}. Ele é válido por 15 minutos.",
			.footer = "Se você não tentou entrar, ignore este e-mail e não compartilhe o código com ninguém.",
		},
		[TM_MFA_CHALLENGE] = {
			.subject = "Código de verificação do {{project}}",
			.body = "Digite este código para concluir o login no {{project}}. Ele é válido por uma hora.",
			.footer = "Se não foi você, altere sua senha imediatamente: alguém pode conhecê-la.",
		},
		[TM_SESSION_ALERT] = {
			.subject = "Alerta de segurança: nova sessão na sua conta do {{project}}",
			.body = "Uma nova sessão foi aberta na sua conta do {{project}} em {{date}} às {{time}} UTC.",
			.items = "Dispositivo: {{device}}\nEndereço IP: {{ipAddress}}\nPaís: {{country}}",
			.footer = "Se foi você, não é preciso fazer nada. Caso contrário, encerre essa sessão e altere sua senha.",
		},
		[TM_INVITATION] = {
			.subject = "Convite para a equipe {{team}} no {{project}}",
			.body = "{{owner}} convidou você para participar da equipe {{team}} no {{project}}.",
			.button = "Aceitar convite",
			.footer = "Se você não esperava este convite, pode ignorar este e-mail.",
		},
	},
	.sms = {
		[SMS_TM_LOGIN] = "{{secret}} é seu código de login do {{project}}.",
		[SMS_TM_VERIFICATION] = "{{secret}} é seu código de verificação do {{project}}.",
		[SMS_TM_MFA] = "{{secret}} é seu código de segurança do {{project}}.",
	},
};

/* Arabic (Modern Standard), right to left. */
static const struct tm_locale tm_locale_ar = {
	.code = "ar",
	.dir = "rtl",
	.hello = "مرحبًا {{user}}،",
	.hello_anon = "مرحبًا،",
	.link_help = "إذا لم يعمل الزر، فانسخ هذا العنوان إلى متصفحك:",
	.client_info = "تم الطلب من {{agentClient}} على {{agentDevice}} ({{agentOs}}).",
	.phrase = "عبارة الأمان: {{b}}{{phrase}}{{/b}}. تابع فقط إذا كانت تطابق العبارة المعروضة حيث سجّلت الدخول.",
	.thanks = "شكرًا،",
	.signature = "فريق {{project}}",
	.mail = {
		[TM_VERIFICATION] = {
			.subject = "التحقق من الحساب",
			.body = "يرجى تأكيد عنوان البريد الإلكتروني لحسابك في {{project}} بفتح الرابط أدناه. الرابط صالح لمدة ساعة واحدة.",
			.button = "تأكيد البريد الإلكتروني",
			.footer = "إذا لم تنشئ حسابًا ولم تطلب هذه الرسالة، يمكنك تجاهلها.",
		},
		[TM_RECOVERY] = {
			.subject = "إعادة تعيين كلمة المرور",
			.body = "طلب شخص ما إعادة تعيين كلمة المرور لحسابك في {{project}}. لاختيار كلمة مرور جديدة، افتح الرابط أدناه. الرابط صالح لمدة ساعة واحدة.",
			.button = "إعادة تعيين كلمة المرور",
			.footer = "إذا لم تطلب ذلك، فتجاهل هذه الرسالة؛ ستبقى كلمة المرور كما هي.",
		},
		[TM_MAGIC_SESSION] = {
			.subject = "تسجيل الدخول إلى {{project}}",
			.body = "استخدم الزر أدناه لتسجيل الدخول إلى {{project}}. الرابط صالح لمدة ساعة واحدة ولمرة واحدة فقط.",
			.button = "تسجيل الدخول إلى {{project}}",
			.footer = "إذا لم تحاول تسجيل الدخول، فتجاهل هذه الرسالة؛ لا يمكن لأحد الدخول بدون هذا الرابط.",
		},
		[TM_OTP_SESSION] = {
			.subject = "رمز لمرة واحدة لتسجيل الدخول إلى {{project}}",
			.body = "أدخل هذا الرمز لتسجيل الدخول إلى {{project}}. الرمز صالح لمدة 15 دقيقة.",
			.footer = "إذا لم تحاول تسجيل الدخول، فتجاهل هذه الرسالة ولا تشارك الرمز مع أي شخص.",
		},
		[TM_MFA_CHALLENGE] = {
			.subject = "رمز التحقق الخاص بـ {{project}}",
			.body = "أدخل هذا الرمز لإكمال تسجيل الدخول إلى {{project}}. الرمز صالح لمدة ساعة واحدة.",
			.footer = "إذا لم تكن أنت، فغيّر كلمة المرور فورًا: ربما يعرفها شخص آخر.",
		},
		[TM_SESSION_ALERT] = {
			.subject = "تنبيه أمني: جلسة جديدة في حسابك على {{project}}",
			.body = "فُتحت جلسة جديدة في حسابك على {{project}} بتاريخ {{date}} الساعة {{time}} بالتوقيت العالمي.",
			.items = "الجهاز: {{device}}\nعنوان IP: {{ipAddress}}\nالبلد: {{country}}",
			.footer = "إذا كنت أنت، فلا داعي لأي إجراء. وإلا، فأنهِ تلك الجلسة وغيّر كلمة المرور.",
		},
		[TM_INVITATION] = {
			.subject = "دعوة للانضمام إلى فريق {{team}} في {{project}}",
			.body = "دعاك {{owner}} للانضمام إلى فريق {{team}} في {{project}}.",
			.button = "قبول الدعوة",
			.footer = "إذا لم تكن تتوقع هذه الدعوة، يمكنك تجاهل هذه الرسالة.",
		},
	},
	.sms = {
		[SMS_TM_LOGIN] = "{{secret}} هو رمز تسجيل الدخول إلى {{project}}.",
		[SMS_TM_VERIFICATION] = "{{secret}} هو رمز التحقق الخاص بـ {{project}}.",
		[SMS_TM_MFA] = "{{secret}} هو رمز الأمان الخاص بـ {{project}}.",
	},
};

/* Every code tmpl_locale() can return, with the wording it selects. */
const struct tm_locale_entry tm_locales[] = {
	{ "en", &tm_locale_en },
	{ "de", &tm_locale_de },
	{ "fr", &tm_locale_fr },
	{ "es", &tm_locale_es },
	{ "pt-br", &tm_locale_pt_br },
	{ "pt", &tm_locale_pt_br },
	{ "ar", &tm_locale_ar },
};

const size_t tm_nlocales = sizeof(tm_locales) / sizeof(tm_locales[0]);
