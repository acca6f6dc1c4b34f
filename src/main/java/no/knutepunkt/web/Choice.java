package no.knutepunkt.web;

import java.util.List;
import java.util.function.Function;

/** One option of a form's list, with its label in bokmål and whether it is the one chosen. */
public record Choice(String value, String label, boolean selected) {

    /** The options for these values, {@code chosen} selected. */
    static List<Choice> of(List<String> values, Function<String, String> label, String chosen) {
        return values.stream().map(v -> new Choice(v, label.apply(v), v.equals(chosen))).toList();
    }
}
