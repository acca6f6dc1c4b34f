package no.knutepunkt.simulator;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * When people measure: at the times their programme asks for (Norwegian local time), give or take
 * half an hour, now and then forgetting one. Drawn from the seed, the patient and the day only, so a
 * day's sessions are the same in every run with the seed.
 * <ul>
 * <li>COPD: oximeter and thermometer in the morning, oximeter again in the evening;</li>
 * <li>heart failure: scale then blood pressure every morning, before breakfast;</li>
 * <li>hypertension: blood pressure morning and evening;</li>
 * <li>diabetes: glucose before breakfast, before dinner and at bedtime — and during a
 * hypoglycaemia, at once and again 15 minutes later.</li>
 * </ul>
 */
public final class MeasuringHabits {

    /** The chance that a patient forgets a measurement. */
    static final double FORGETS = 0.07;

    private record Slot(LocalTime at, int jitterMinutes, List<DeviceType> devices) {
    }

    private final long seed;

    public MeasuringHabits(long seed) {
        this.seed = seed;
    }

    /** The patient's sessions that start on this local day, in time order. */
    public List<Session> sessions(SimulatedPatient p, LocalDate day) {
        List<Slot> slots = slots(p.programme());
        List<Session> sessions = new ArrayList<>();
        for (int s = 0; s < slots.size(); s++) {
            Slot slot = slots.get(s);
            SplittableRandom r = Seeds.random(seed, 0x5e55, p.index(), day.toEpochDay(), s);
            if (r.nextDouble() < FORGETS) {
                continue;
            }
            long offset = (long) ((r.nextDouble() * 2 - 1) * slot.jitterMinutes() * 60);
            Instant start = PilotPlan.at(day, slot.at()).plusSeconds(offset);
            sessions.add(session(p, slot.devices(), start, r));
        }
        p.episodeOf(Episode.Kind.HYPOGLYCAEMIA).filter(e -> e.onset().atZone(PilotPlan.OSLO).toLocalDate().equals(day)).ifPresent(e -> {
            SplittableRandom r = Seeds.random(seed, 0x4790, p.index());
            sessions.add(session(p, List.of(DeviceType.GLUCOMETER), e.onset(), r));
            sessions.add(session(p, List.of(DeviceType.GLUCOMETER), e.onset().plus(Episode.HYPO_RECHECK), r));
        });
        sessions.removeIf(x -> p.stopsMeasuringAt() != null && !x.start().isBefore(p.stopsMeasuringAt()));
        sessions.sort((a, b) -> a.start().compareTo(b.start()));
        return sessions;
    }

    private static Session session(SimulatedPatient p, List<DeviceType> types, Instant start, SplittableRandom r) {
        List<Session.Use> uses = new ArrayList<>();
        Instant t = start;
        for (DeviceType type : types) {
            uses.add(new Session.Use(p.device(type), t));
            // Putting one device away and the next one on takes a couple of minutes.
            t = t.plus(Duration.ofSeconds(90 + r.nextInt(120)));
        }
        return new Session(p, uses);
    }

    private static List<Slot> slots(Programme programme) {
        return switch (programme) {
            case COPD -> List.of(new Slot(LocalTime.of(8, 0), 40, List.of(DeviceType.PULSE_OXIMETER, DeviceType.THERMOMETER)),
                    new Slot(LocalTime.of(20, 0), 40, List.of(DeviceType.PULSE_OXIMETER)));
            case HEART_FAILURE -> List.of(new Slot(LocalTime.of(7, 30), 30, List.of(DeviceType.SCALE, DeviceType.BP_CUFF)));
            case HYPERTENSION -> List.of(new Slot(LocalTime.of(7, 45), 30, List.of(DeviceType.BP_CUFF)),
                    new Slot(LocalTime.of(21, 0), 45, List.of(DeviceType.BP_CUFF)));
            case DIABETES -> List.of(new Slot(LocalTime.of(7, 15), 30, List.of(DeviceType.GLUCOMETER)),
                    new Slot(LocalTime.of(16, 45), 45, List.of(DeviceType.GLUCOMETER)),
                    new Slot(LocalTime.of(22, 0), 45, List.of(DeviceType.GLUCOMETER)));
        };
    }
}
