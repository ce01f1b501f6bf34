# ruff: noqa: E501 - prose (messages) reads better unwrapped
"""French dispute statements per label, in the registers French AP teams write in (formal
vouvoiement, short ERP notes, informal, annoyed), and the pieces that wrap them.
Slots as in dispute_phrases."""

from __future__ import annotations

CORE_FR: dict[str, list[str]] = {
    "pricing_discrepancy": [
        "Le prix unitaire de {product} sur la facture {inv} est de {p_billed}, alors que le prix convenu est de {p_agreed}.",
        "Écart de prix sur la facture {inv} : facturé {p_billed}, prix contractuel {p_agreed}. Merci de nous envoyer un avoir.",
        "Le prix facturé ne correspond pas à notre bon de commande {po}. Nous avons déduit la différence de {amt}.",
        "Vous avez appliqué l'ancien tarif. Les nouveaux prix négociés s'appliquent depuis le {date}.",
        "Les quantités sont bonnes, mais pas le prix : nous payons {p_agreed} et non {p_billed}.",
        "La hausse de tarif annoncée ne concerne que les commandes passées après le {date} ; notre commande {po} est antérieure.",
        "Notre remise client contractuelle n'a pas été appliquée sur la facture {inv}, tout est au prix catalogue.",
        "bonjour, le prix sur la facture {inv} est trop élevé, on avait convenu {p_agreed} l'unité. pouvez-vous corriger ?",
        "C'est la troisième fois que {product} est facturé au-dessus du prix de l'accord-cadre. Ce n'est pas acceptable.",
        "Déduction {amt} - écart de prix avec l'offre acceptée, ligne 2 ({product}).",
        "Les frais de transport de {amt} n'ont jamais été convenus, l'offre indiquait franco de port.",
    ],
    "short_shipment": [
        "Nous avons commandé {n_ord} unités de {product} (commande {po}) mais seulement {n_recv} ont été livrées. La facture {inv} porte sur les {n_ord}.",
        "Livraison incomplète pour la facture {inv} : il manque {n_missing} cartons selon notre réception.",
        "Manquant à la livraison : {n_missing} colis de moins que sur le bon de livraison. Nous déduisons {amt}.",
        "Écart de quantité fact. {inv} - facturé {n_ord}, reçu {n_recv}.",
        "Une palette complète manquait lors de la livraison du {date}, le reste était conforme. Le chauffeur a noté la réserve.",
        "Livraison partielle de la commande {po} : {n_missing} unités de {product} sont toujours en attente et ne doivent pas être facturées.",
        "La marchandise est arrivée en bon état, mais nous n'avons reçu que {n_recv} pièces sur {n_ord}. Merci de créditer les {n_missing} manquantes.",
        "Nous ne payons que la quantité réellement reçue : {n_recv} au lieu de {n_ord}.",
        "salut, dans le colis il n'y avait que {n_recv} {product}, vous en facturez {n_ord}. merci de faire un avoir",
        "Notre entrepôt a recompté au déchargement : {n_missing} caisses de moins que facturé.",
    ],
    "damaged_goods": [
        "{n_dmg} unités de {product} de la facture {inv} sont arrivées cassées et sont inutilisables.",
        "La livraison de la commande {po} a été endommagée pendant le transport : cartons écrasés, produits qui fuient. Photos jointes.",
        "Marchandise avariée, réserves notées sur le bon de livraison du transporteur {carrier}. Nous déduisons le montant.",
        "La quantité est correcte, mais {n_dmg} pièces sont abîmées. Nous ne les paierons pas.",
        "La chaîne du froid a été rompue, les produits sont arrivés chauds et ont dû être détruits.",
        "Problème de qualité : {product} de la facture {inv} défectueux, {n_dmg} pièces refusées au contrôle.",
        "Les palettes étaient mouillées et l'emballage déchiré, la marchandise n'est plus vendable.",
        "La date limite de consommation était déjà dépassée à la réception.",
        "Casse à la livraison fact. {inv} : {n_dmg} colis détériorés. Merci de faire un avoir.",
        "bonjour, {n_dmg} bouteilles étaient cassées à l'arrivée, je vous envoie les photos. merci de déduire",
    ],
    "duplicate_billing": [
        "La facture {inv2} fait double emploi avec la facture {inv} : même commande {po}, même montant {amt}.",
        "Vous nous avez facturé deux fois la même livraison : {inv} et {inv2}.",
        "Nous avons déjà réglé la facture {inv} le {date} ; la facture {inv2} reprend exactement les mêmes articles.",
        "Facture en doublon ! {inv2} = {inv}. Nous ne paierons pas deux fois.",
        "Notre système a signalé {inv2} comme doublon possible : même montant, même bon de livraison.",
        "L'abonnement mensuel a été facturé deux fois, sur {inv} et sur {inv2}.",
        "Merci d'annuler la facture {inv2}, il s'agit d'une réédition de {inv} déjà payée par virement.",
        "vous avez facturé la commande {po} deux fois avec deux numéros différents",
    ],
    "returned_goods": [
        "Nous avons retourné {n_dmg} unités de {product} sous le numéro de retour {rma} et n'avons toujours pas reçu d'avoir.",
        "Le retour de la facture {inv} vous est parvenu le {date} selon le suivi. Nous compensons le montant de {amt}.",
        "Le retour {rma} n'a pas encore été crédité, nous réduisons donc notre paiement.",
        "La marchandise a été reprise en accord avec votre commercial. Merci d'établir un avoir de {amt}.",
        "Déduction {amt} = retour {rma}, marchandise chez vous depuis trois semaines.",
        "Nous avons renvoyé le surplus comme convenu et attendons l'avoir avant de régler {inv}.",
        "bonjour, le retour {rma} est chez vous depuis longtemps, quand recevons-nous l'avoir ?",
    ],
    "promotional_allowance": [
        "La participation publicitaire pour l'opération {promo} de {amt} a été déduite comme convenu.",
        "Déduction {amt} : coopération commerciale selon l'accord annuel, pas encore créditée.",
        "Nous avons compensé les frais de référencement des nouveaux produits avec la facture {inv}.",
        "La remise promotionnelle de l'opération {promo} n'apparaît pas sur la facture, nous déduisons {amt}.",
        "Votre participation à notre catalogue promotionnel ({promo}) est toujours due, nous l'avons retenue.",
        "Ce n'est pas un escompte : les {pct} correspondent au budget promo de l'opération {promo}, validé avec votre commercial.",
        "Déduction budget marketing {promo} - {amt} - selon l'accord de promotion.",
        "Les frais de mise en avant en tête de gondole ont été retenus comme prévu dans l'accord.",
    ],
    "tax_discrepancy": [
        "La facture {inv} applique une TVA de {rate_billed} alors que le taux correct est {rate_ok}.",
        "Taux de TVA erroné : {product} relève du taux réduit de {rate_ok}, pas de {rate_billed}.",
        "Il s'agit d'une livraison intracommunautaire en autoliquidation, merci de rééditer la facture hors TVA.",
        "Le montant de TVA sur {inv} est faux, l'exonération n'a pas été appliquée.",
        "TVA incorrecte : {rate_billed} au lieu de {rate_ok}, écart {amt}.",
        "La TVA a été calculée deux fois, sur le montant HT et sur les frais de port.",
        "tva fausse sur {inv}, c'est {rate_ok} normalement",
    ],
    "early_payment_discount": [
        "Nous avons payé sous {days} jours et avons donc déduit l'escompte de {pct}.",
        "Escompte pour paiement anticipé de {pct} selon vos conditions, règlement effectué le {date}.",
        "La différence de {amt} correspond à l'escompte, nous avons payé dans le délai.",
        "Je ne comprends pas votre relance de {amt} : c'est notre escompte, le virement est parti le {date}, donc dans les délais.",
        "Ce n'est pas un écart de prix, c'est l'escompte de {pct} pour paiement comptant.",
        "Paiement net d'escompte {pct}, réglé sous {days} jours après la date de facture.",
        "le solde de {amt} c'est l'escompte, on a payé à temps",
    ],
    "goods_not_received": [
        "Nous n'avons jamais reçu la marchandise de la facture {inv}. Merci de nous envoyer une preuve de livraison signée.",
        "La livraison de la commande {po} ne nous est toujours pas parvenue ; nous réglerons la facture {inv} à réception.",
        "Selon {carrier}, le colis a été livré, mais nous n'avons rien reçu et personne n'a signé.",
        "Marchandise non reçue. Facture {inv} bloquée jusqu'à clarification.",
        "Le colis est perdu depuis le {date}, le suivi ne montre aucun mouvement.",
        "Vous nous facturez une livraison qui n'est jamais arrivée chez nous.",
        "La prestation facturée sur {inv} n'a pas été réalisée, le technicien n'est jamais venu.",
        "où est notre commande {po} ? la facture est arrivée, la marchandise non",
    ],
    "other": [
        "Pourriez-vous nous envoyer une copie de la facture {inv} ? Nous ne la trouvons pas dans notre système.",
        "Merci de mettre à jour notre adresse de facturation, nous avons déménagé.",
        "Pouvez-vous nous adresser un relevé de compte des six derniers mois ?",
        "Pour notre audit, nous avons besoin d'une confirmation de solde au {date}.",
        "Nous avons viré {amt} aujourd'hui. Pouvez-vous nous indiquer sur quelles factures vous l'imputez ?",
        "Le paiement de {inv} aura une semaine de retard, notre responsable est en congé.",
        "Merci d'envoyer désormais les factures à notre nouvelle adresse e-mail comptabilité fournisseurs.",
        "Il manque notre numéro de commande {po} sur la facture, notre système la rejette. Merci de la rééditer.",
        "Pourriez-vous nous confirmer vos coordonnées bancaires par écrit avant le premier paiement ?",
        "Est-il possible de mettre en place un échéancier pour le solde ouvert ?",
        "Nous n'avons pas reçu la facture {inv}, pouvez-vous nous la renvoyer par e-mail ?",
        "Je n'arrive pas à me connecter à votre portail client pour télécharger les factures.",
    ],
}

OPENERS_FR = [
    "Madame, Monsieur,",
    "Bonjour,",
    "Bonjour {first},",
    "Bonjour Madame {last},",
    "Chers collègues,",
    "Bonjour à tous,",
    "",
]

CONTEXT_FR = [
    "je reviens vers vous au sujet de la facture {inv} du {date}.",
    "suite à votre relance concernant {inv} :",
    "concernant notre commande {po} :",
    "notre règlement de ce jour ne couvre pas entièrement la facture {inv}, pour la raison suivante.",
    "comme convenu par téléphone :",
    "",
    "",
]

REQUESTS_FR = [
    "Merci de nous faire parvenir un avoir.",
    "Merci de corriger la facture et de nous la renvoyer.",
    "Le montant reste bloqué jusqu'à résolution.",
    "Je reste à votre disposition pour tout complément d'information.",
    "Dans l'attente de votre retour.",
    "",
]

CLOSINGS_FR = [
    "Cordialement,",
    "Bien cordialement,",
    "Bien à vous,",
    "Salutations distinguées,",
    "Bonne journée,",
    "Cdlt",
    "",
]

SIGNATURES_FR = [
    "{first} {last}",
    "{first} {last}\nComptabilité fournisseurs\n{company}",
    "{first} {last} | Service comptabilité | {company}\nTél. {phone}\n{email}",
    "{first}\n{company}",
    "",
]

DISCLAIMERS_FR = [
    "Ce message et toutes les pièces jointes sont confidentiels et établis à l'intention exclusive de ses destinataires. Si vous avez reçu ce message par erreur, merci d'en avertir immédiatement l'émetteur.",
    "{company} - SAS au capital de 150 000 EUR - RCS Lyon 512 344 876",
    "Pensez à l'environnement avant d'imprimer ce message.",
]
