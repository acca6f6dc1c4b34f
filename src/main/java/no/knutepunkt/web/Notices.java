package no.knutepunkt.web;

import java.util.Map;

/**
 * What a page says after a form did its work (post, redirect, get). The redirect carries only a
 * code, never text: a link made elsewhere cannot put words of its own on the hub's pages.
 */
final class Notices {

    private static final Map<String, String> TEXT = Map.ofEntries(
            Map.entry("nodtilgang", "Nødtilgang gitt og loggført. Den er tidsbegrenset og blir gjennomgått av driften."),
            Map.entry("innrullert", "Pasienten er innrullert."),
            Map.entry("tildelt", "Måleren er tildelt."),
            Map.entry("byttet", "Måleren er byttet."),
            Map.entry("avsluttet-tildeling", "Tildelingen av måleren er avsluttet."),
            Map.entry("pause", "Oppfølgingen er satt på pause. Målinger lagres fortsatt, merket med pause."),
            Map.entry("gjenopptatt", "Oppfølgingen er gjenopptatt."),
            Map.entry("avsluttet", "Oppfølgingen er avsluttet."),
            Map.entry("samtykke", "Samtykket er registrert."),
            Map.entry("samtykke-trukket", "Samtykket er trukket tilbake."),
            Map.entry("sperret", "Sperringen er registrert. Helsepersonellet får ikke se opplysningene dine."),
            Map.entry("sperring-opphevet", "Sperringen er opphevet."),
            Map.entry("gjennomgatt", "Markert som gjennomgått."),
            Map.entry("legitimasjon", "Ny MQTT-legitimasjon er utstedt. Hemmeligheten vises bare denne ene gangen."));

    private Notices() {
    }

    /** The notice for a code, or null for none or an unknown one. */
    static String of(String code) {
        return code == null ? null : TEXT.get(code);
    }
}
