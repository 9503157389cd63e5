package io.quiver.models.diffusion;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;

/**
 * {@code scheduler/scheduler_config.json} as the diffusers schedulers read it. Fields a config may leave out are
 * null here where the default differs per scheduler ({@code timestep_spacing}, {@code set_alpha_to_one},
 * {@code clip_sample}); each scheduler applies its own diffusers default. {@code skip_prk_steps} is PNDM's alone
 * (default false: Runge–Kutta warm-up steps first).
 */
public record SchedulerConfig(
        String className,
        int numTrainTimesteps,
        double betaStart,
        double betaEnd,
        String betaSchedule,
        double[] trainedBetas,
        int stepsOffset,
        String timestepSpacing,
        String predictionType,
        Boolean setAlphaToOne,
        Boolean clipSample,
        double clipSampleRange,
        boolean skipPrkSteps,
        int originalInferenceSteps,
        double timestepScaling) {

    public static final String EPSILON = "epsilon";
    public static final String V_PREDICTION = "v_prediction";

    public SchedulerConfig {
        if (numTrainTimesteps < 1) {
            throw new IllegalArgumentException("num_train_timesteps must be positive: " + numTrainTimesteps);
        }
        if (!EPSILON.equals(predictionType) && !V_PREDICTION.equals(predictionType)) {
            throw new IllegalArgumentException("prediction_type " + predictionType + " is not supported"
                    + " (epsilon or v_prediction)");
        }
        if (timestepSpacing != null && !Timesteps.SPACINGS.contains(timestepSpacing)) {
            throw new IllegalArgumentException("timestep_spacing " + timestepSpacing + " is not supported "
                    + Timesteps.SPACINGS);
        }
        if (trainedBetas == null && !"scaled_linear".equals(betaSchedule) && !"linear".equals(betaSchedule)) {
            throw new IllegalArgumentException("beta_schedule " + betaSchedule
                    + " is not supported (scaled_linear or linear)");
        }
    }

    /** Reads a scheduler config; anything it cannot serve is a load error naming the file. */
    public static SchedulerConfig parse(JsonNode json, Path file) {
        try {
            refuseUnimplemented(json);
            double[] trained = null;
            JsonNode betas = json.path("trained_betas");
            if (betas.isArray() && !betas.isEmpty()) {
                trained = new double[betas.size()];
                for (int i = 0; i < trained.length; i++) {
                    trained[i] = betas.get(i).asDouble();
                }
            }
            return new SchedulerConfig(
                    json.path("_class_name").asText("PNDMScheduler"),
                    json.path("num_train_timesteps").asInt(1000),
                    json.path("beta_start").asDouble(0.0001),
                    json.path("beta_end").asDouble(0.02),
                    json.path("beta_schedule").asText("linear"),
                    trained,
                    json.path("steps_offset").asInt(0),
                    text(json, "timestep_spacing"),
                    json.path("prediction_type").asText(EPSILON),
                    bool(json, "set_alpha_to_one"),
                    bool(json, "clip_sample"),
                    json.path("clip_sample_range").asDouble(1.0),
                    json.path("skip_prk_steps").asBoolean(false),
                    json.path("original_inference_steps").asInt(50),
                    json.path("timestep_scaling").asDouble(10.0));
        } catch (IllegalArgumentException e) {
            throw new io.quiver.models.ModelLoadException(file, e.getMessage());
        }
    }

    /**
     * Options the diffusers schedulers honour (each scheduler made from this config gets them) that Quiver's do not
     * implement: refused, rather than serving images that silently differ from the model's.
     */
    private static void refuseUnimplemented(JsonNode json) {
        for (String flag : new String[] {"thresholding", "rescale_betas_zero_snr", "use_karras_sigmas",
                "use_exponential_sigmas", "use_beta_sigmas"}) {
            if (json.path(flag).asBoolean(false)) {
                throw new IllegalArgumentException(flag + ": true is not supported");
            }
        }
        String[][] expected = {{"interpolation_type", "linear"}, {"timestep_type", "discrete"},
                {"final_sigmas_type", "zero"}};
        for (String[] field : expected) {
            JsonNode value = json.path(field[0]);
            if (value.isTextual() && !value.asText().equals(field[1])) {
                throw new IllegalArgumentException(field[0] + " " + value.asText() + " is not supported (" + field[1]
                        + ")");
            }
        }
    }

    private static String text(JsonNode json, String field) {
        JsonNode node = json.path(field);
        return node.isTextual() ? node.asText() : null;
    }

    private static Boolean bool(JsonNode json, String field) {
        JsonNode node = json.path(field);
        return node.isBoolean() ? node.asBoolean() : null;
    }

    /** The cumulative product of (1 − β) over the training timesteps, in double precision. */
    public double[] alphasCumprod() {
        int n = numTrainTimesteps;
        double[] betas = new double[n];
        if (trainedBetas != null) {
            if (trainedBetas.length != n) {
                throw new IllegalArgumentException("trained_betas has " + trainedBetas.length + " values, expected " + n);
            }
            System.arraycopy(trainedBetas, 0, betas, 0, n);
        } else {
            boolean scaled = "scaled_linear".equals(betaSchedule);
            double from = scaled ? Math.sqrt(betaStart) : betaStart;
            double to = scaled ? Math.sqrt(betaEnd) : betaEnd;
            for (int i = 0; i < n; i++) {
                double b = n == 1 ? from : from + (to - from) * i / (n - 1);
                betas[i] = scaled ? b * b : b;
            }
        }
        double[] cumprod = new double[n];
        double running = 1.0;
        for (int i = 0; i < n; i++) {
            running *= 1.0 - betas[i];
            cumprod[i] = running;
        }
        return cumprod;
    }

    public boolean vPrediction() {
        return V_PREDICTION.equals(predictionType);
    }

    /** A copy with another spacing and prediction type: tests and callers that override the folder's config. */
    public SchedulerConfig with(String spacing, String prediction) {
        return new SchedulerConfig(className, numTrainTimesteps, betaStart, betaEnd, betaSchedule, trainedBetas,
                stepsOffset, spacing, prediction, setAlphaToOne, clipSample, clipSampleRange, skipPrkSteps,
                originalInferenceSteps, timestepScaling);
    }
}
