package dev.bqjobs.pipelines;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.ServiceLoader;
import java.util.TreeSet;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.Validation;
import org.apache.beam.sdk.runners.PipelineRunnerRegistrar;

/**
 * The command's {@code --help}, generated from what it describes, so that nothing can drift: the
 * options, descriptions and defaults from {@link BqJobsOptions}'s own getters and their annotations
 * (and, for the few inherited options the command is used with, from Beam's own interfaces), the
 * runners from those registered in this jar, the exit codes from {@link BqJobsCommand}, the entry
 * fields from {@link JobsFileReader}. Laid out like Beam's {@code --help=OptionsInterface}: {@code
 * --name=<Type>}, then the description, then the default. Not every inherited Beam option is
 * listed: {@code --help=org.apache.beam.sdk.options.PipelineOptions} and the like still work for
 * those.
 */
final class CommandHelp {
  /** Inherited options the command is used with, in this order, after its own. */
  static final List<String> INHERITED = List.of("project", "bigQueryEndpoint", "runner");

  private static final int WIDTH = 100;
  private static final String INDENT = "    ";

  private CommandHelp() {}

  /** The whole help text; its first line is the usage line. */
  static String text() {
    StringBuilder help = new StringBuilder();
    help.append(BqJobsCommand.USAGE_LINE).append("\n\n");
    help.append(
        wrap(
            "Runs every job of a jobs file with BigQueryJobs and writes "
                + String.join(", ", OutputFiles.ALL)
                + " to --output. "
                + Endpoint.WHERE_JOBS_RUN,
            ""));
    help.append("\nOptions of bqjobs:\n");
    for (Method getter : ownGetters()) {
      option(help, getter);
    }
    help.append("\nBeam options it reads (every other Beam option works as in any pipeline):\n");
    for (String name : INHERITED) {
      option(help, getter(name));
    }
    help.append(INDENT)
        .append("Runners in this jar: ")
        .append(String.join(", ", registeredRunners()))
        .append('\n');
    help.append("\nExit codes:\n");
    help.append(INDENT).append(BqJobsCommand.EXIT_OK).append("  nothing failed\n");
    help.append(INDENT)
        .append(BqJobsCommand.EXIT_JOB_FAILED)
        .append(
            "  a job failed (unless --failOnJobFailure=false), or the pipeline itself failed\n");
    help.append(INDENT)
        .append(BqJobsCommand.EXIT_USAGE)
        .append("  bad command line or jobs file: no job was run\n");
    help.append("\nJobs file:\n");
    help.append(wrap(JobsFileReader.FORMAT, INDENT));
    return help.toString();
  }

  /** {@link BqJobsOptions}'s own options: required first, then by name. */
  static List<Method> ownGetters() {
    List<Method> getters = new ArrayList<>();
    for (Method m : BqJobsOptions.class.getDeclaredMethods()) {
      if (isGetter(m)) {
        getters.add(m);
      }
    }
    getters.sort(
        Comparator.comparing((Method m) -> m.getAnnotation(Validation.Required.class) == null)
            .thenComparing(CommandHelp::optionName));
    return getters;
  }

  /** The option's name as typed after {@code --}, e.g. {@code jobTimeout}. */
  static String optionName(Method getter) {
    String property = getter.getName().substring(getter.getName().startsWith("is") ? 2 : 3);
    return property.substring(0, 1).toLowerCase(Locale.ROOT) + property.substring(1);
  }

  private static boolean isGetter(Method m) {
    return !m.isDefault()
        && !Modifier.isStatic(m.getModifiers())
        && m.getParameterCount() == 0
        && (m.getName().startsWith("get") || m.getName().startsWith("is"));
  }

  private static Method getter(String name) {
    String suffix = name.substring(0, 1).toUpperCase(Locale.ROOT) + name.substring(1);
    try {
      return BqJobsOptions.class.getMethod("get" + suffix);
    } catch (NoSuchMethodException e) {
      throw new IllegalStateException("no option --" + name + " in BqJobsOptions", e);
    }
  }

  private static void option(StringBuilder help, Method getter) {
    help.append("  --")
        .append(optionName(getter))
        .append("=<")
        .append(getter.getReturnType().getSimpleName())
        .append(">\n");
    Description description = getter.getAnnotation(Description.class);
    if (description != null) {
      help.append(wrap(description.value(), INDENT));
    }
    String qualifier = defaultOf(getter);
    if (qualifier != null) {
      help.append(INDENT).append(qualifier).append('\n');
    }
  }

  /** "Required", "Default: VALUE", or null when the option has neither. */
  private static String defaultOf(Method getter) {
    // Beam's --runner is both required and defaulted (by a factory named after the runner it
    // picks).
    Default.InstanceFactory factory = getter.getAnnotation(Default.InstanceFactory.class);
    if (factory != null) {
      return "Default: " + factory.value().getSimpleName();
    }
    if (getter.getAnnotation(Validation.Required.class) != null) {
      return "Required";
    }
    Default.String s = getter.getAnnotation(Default.String.class);
    if (s != null) {
      return "Default: " + s.value();
    }
    Default.Integer i = getter.getAnnotation(Default.Integer.class);
    if (i != null) {
      return "Default: " + i.value();
    }
    Default.Long l = getter.getAnnotation(Default.Long.class);
    if (l != null) {
      return "Default: " + l.value();
    }
    Default.Boolean b = getter.getAnnotation(Default.Boolean.class);
    if (b != null) {
      return "Default: " + b.value();
    }
    Default.Enum e = getter.getAnnotation(Default.Enum.class);
    if (e != null) {
      return "Default: " + e.value();
    }
    return null;
  }

  /** Simple names of the runners registered in this jar (e.g. DirectRunner, SparkRunner). */
  static List<String> registeredRunners() {
    TreeSet<String> names = new TreeSet<>();
    for (PipelineRunnerRegistrar registrar :
        ServiceLoader.load(PipelineRunnerRegistrar.class, CommandHelp.class.getClassLoader())) {
      registrar.getPipelineRunners().forEach(runner -> names.add(runner.getSimpleName()));
    }
    return new ArrayList<>(names);
  }

  /** {@code text} wrapped at {@value #WIDTH} columns, every line starting with {@code indent}. */
  static String wrap(String text, String indent) {
    StringBuilder out = new StringBuilder();
    StringBuilder line = new StringBuilder(indent);
    for (String word : text.trim().split("\\s+")) {
      if (line.length() > indent.length() && line.length() + 1 + word.length() > WIDTH) {
        out.append(line).append('\n');
        line = new StringBuilder(indent);
      }
      if (line.length() > indent.length()) {
        line.append(' ');
      }
      line.append(word);
    }
    return out.append(line).append('\n').toString();
  }
}
