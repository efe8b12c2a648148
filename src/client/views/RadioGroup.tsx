/** A labelled set of radio buttons: one choice of a few, each said in the words people read. */

/** A fieldset with `legend`, one radio button per choice (its value and its text), `value` checked. */
export function RadioGroup<T extends string>(props: {
  legend: string;
  name: string;
  choices: readonly (readonly [T, string])[];
  value: T;
  onValue: (value: T) => void;
}) {
  return (
    <fieldset>
      <legend>{props.legend}</legend>
      {props.choices.map(([value, text]) => (
        <label class="choice" key={value}>
          <input
            type="radio"
            name={props.name}
            value={value}
            checked={props.value === value}
            onChange={() => props.onValue(value)}
          />
          {text}
        </label>
      ))}
    </fieldset>
  );
}
