package no.knutepunkt.simulator;

/**
 * A patient's own normal values (canonical units: %, /min, Cel, kg, mm[Hg], mmol/L), around which
 * {@link Physiology} adds the daily rhythm, noise and episodes. Fasting glucose for {@code glucose}.
 */
public record Baseline(double spo2, double pulse, double temperature, double weight, double systolic, double diastolic, double glucose) {
}
